using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Npgsql;

namespace UserService.Tests.Support;

/// <summary>
/// The real service as a child process on a real port: for what the in-memory host cannot show (signals, exit
/// codes, startup against an unreachable database, connections left behind after exit). Each instance labels
/// its connections with its own application name, so pg_stat_activity tells its backends apart.
/// </summary>
public sealed partial class ServiceProcess : IAsyncDisposable
{
    public const int SigTerm = 15;

    readonly Process process;
    readonly ConcurrentQueue<string> output = new();

    readonly string connectionString;

    ServiceProcess(Process process, int port, string applicationName, string connectionString)
    {
        this.connectionString = connectionString;
        this.process = process;
        Port = port;
        ApplicationName = applicationName;
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(60) };
    }

    public int Port { get; }

    public string ApplicationName { get; }

    public HttpClient Client { get; }

    public IReadOnlyList<string> Output => [.. output];

    public bool HasExited => process.HasExited;

    /// <summary>
    /// Starts the service built next to the tests; <paramref name="connectionString"/> defaults to the test database,
    /// <paramref name="port"/> to a free one (an instance restarted behind a load balancer takes its old one again).
    /// </summary>
    public static ServiceProcess Start(string? connectionString = null, IReadOnlyDictionary<string, string>? settings = null, string? workingDirectory = null,
        int? port = null)
    {
        var applicationName = $"UserService-test-{Guid.NewGuid():N}"[..30];
        var csb = new NpgsqlConnectionStringBuilder(connectionString ?? App.ConnectionString) { ApplicationName = applicationName };
        port ??= FreePort();

        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, "UserService.dll"), "--urls", $"http://127.0.0.1:{port.Value}" },
            WorkingDirectory = workingDirectory ?? AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        start.Environment["ConnectionStrings__Users"] = csb.ConnectionString;
        start.Environment["Logging__Console__FormatterName"] = "simple";
        start.Environment["Logging__Console__FormatterOptions__SingleLine"] = "true";
        start.Environment["Jwt__SigningKey"] = Identity.SigningKey;
        start.Environment["Throttling__AddressPermitLimit"] = "1000000";
        start.Environment["PasswordHashing__QueueLimit"] = "100000";
        start.Environment["PasswordHashing__MaxQueueWait"] = "00:05:00";
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start };
        var service = new ServiceProcess(process, port.Value, applicationName, csb.ConnectionString);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) service.output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) service.output.Enqueue(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return service;
    }

    /// <summary>Waits for <c>/health/ready</c>, then (unless told not to) signs <see cref="Client"/> in as a fresh admin.</summary>
    public async Task WaitUntilReadyAsync(TimeSpan? timeout = null, bool signIn = true)
    {
        await WaitForReadinessAsync(timeout);
        if (!signIn)
        {
            return;
        }

        var email = TestUsers.UniqueEmail("process-admin");
        var id = (await Client.SignUpAsync(email, "Process Admin")).User.Id;
        await using (var db = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = "UserService.Tests", Pooling = false }.ConnectionString))
        {
            await Identity.PromoteAsync(db, id);
        }

        Client.WithToken(await Identity.SignInAsync(Client, email));
    }

    async Task WaitForReadinessAsync(TimeSpan? timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < (timeout ?? TimeSpan.FromSeconds(60)))
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The service exited with {process.ExitCode} before it was ready:\n{string.Join('\n', Output)}");
            }

            try
            {
                using var rsp = await Client.GetAsync("/health/ready");
                if (rsp.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"The service was not ready in time:\n{string.Join('\n', Output)}");
    }

    public void Signal(int signal)
    {
        if (Kill(process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill({process.Id}, {signal}) failed: {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>The line the host logs when a graceful shutdown begins (after SIGTERM, before draining).</summary>
    public const string ShuttingDown = "Application is shutting down";

    /// <summary>Waits until <paramref name="occurrences"/> lines of output contain <paramref name="text"/>; fails after the timeout.</summary>
    public async Task WaitForOutputAsync(string text, TimeSpan timeout, int occurrences = 1)
    {
        var clock = Stopwatch.StartNew();
        bool Seen() => output.Count(l => l.Contains(text, StringComparison.Ordinal)) >= occurrences;
        while (!Seen())
        {
            if (clock.Elapsed > timeout || process.HasExited && !Seen())
            {
                throw new TimeoutException($"no line with \"{text}\" after {clock.Elapsed.TotalSeconds:F1} s:\n{string.Join('\n', Output)}");
            }

            await Task.Delay(20);
        }
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(cts.Token);
        return process.ExitCode;
    }

    /// <summary>Backends in pg_stat_activity that carry this process's application name.</summary>
    public async Task<int> BackendCountAsync(NpgsqlDataSource db)
    {
        await using var command = db.CreateCommand("SELECT count(*)::int FROM pg_stat_activity WHERE application_name = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = ApplicationName });
        return (int)(await command.ExecuteScalarAsync())!;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
    }

    /// <summary>A loopback port that nothing listens on (just now).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
