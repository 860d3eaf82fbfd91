using System.Diagnostics;

namespace UserService.Tests.Support;

/// <summary>The project's own scripts (scripts/*.sh), run by tests that need a cluster, a standby or HAProxy of their own.</summary>
public static class Scripts
{
    /// <summary>Runs <c>scripts/<paramref name="script"/> <paramref name="command"/></c>; throws with its output when it fails.</summary>
    public static async Task RunAsync(string script, string command, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("bash")
        {
            ArgumentList = { Find(script), command },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        // Generous: the first run on a fresh machine installs PostgreSQL or HAProxy with apt-get.
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            var settings = string.Join(' ', environment.Select(p => $"{p.Key}={p.Value}"));
            throw new InvalidOperationException($"{script} {command} ({settings}) exited with {process.ExitCode}:\n{await stdout}\n{await stderr}");
        }
    }

    static string Find(string script)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "scripts", script);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"scripts/{script} not found above {AppContext.BaseDirectory}");
    }
}
