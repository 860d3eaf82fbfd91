using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Options;

namespace UserService.Infrastructure.Security;

/// <summary>
/// Admission control for password hashing: a bounded queue in front of a fixed set of dedicated threads that run at
/// a lower CPU priority (nice 10). When nothing else runs, hashes get every core; when requests need the CPU, the
/// kernel's scheduler gives it to them first (a nice-10 thread weighs about a tenth of a normal one), so reads never
/// wait behind hashing. A full queue, or a hash that waited too long, fails fast with <see cref="HashingBusyException"/>
/// (503 with <c>Retry-After</c>) instead of a time-out.
/// </summary>
internal sealed class HashingQueue : IDisposable
{
    const int LowPriorityNice = 10;

    readonly BlockingCollection<IWorkItem> queue;
    readonly TimeSpan maxWait;
    readonly Thread[] workers;

    public HashingQueue(IOptions<PasswordHashingOptions> options)
    {
        var settings = options.Value;
        queue = new BlockingCollection<IWorkItem>(Math.Max(1, settings.QueueLimit));
        maxWait = settings.MaxQueueWait;
        workers = [.. Enumerable.Range(0, settings.EffectiveConcurrency).Select(i =>
            new Thread(Work) { IsBackground = true, Name = $"password-hash-{i}" })];
        foreach (var worker in workers)
        {
            worker.Start();
        }
    }

    /// <summary>Threads that hash; sign-ups per second are about this times 1 / (CPU time of one hash).</summary>
    public int Concurrency => workers.Length;

    /// <summary>Runs <paramref name="work"/> on a hashing thread, or throws <see cref="HashingBusyException"/> when full.</summary>
    public Task<T> RunAsync<T>(Func<T> work, CancellationToken ct)
    {
        var item = new WorkItem<T>(work, Stopwatch.GetTimestamp(), ct);
        if (!queue.TryAdd(item))
        {
            throw new HashingBusyException();
        }

        return item.Completion.Task;
    }

    void Work()
    {
        LowerPriority();
        foreach (var item in queue.GetConsumingEnumerable())
        {
            item.Run(maxWait);
        }
    }

    /// <summary>On Linux nice is per thread; elsewhere the thread keeps the normal priority.</summary>
    static void LowerPriority()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        try
        {
            _ = SetPriority(0 /* PRIO_PROCESS: with a thread id, that one thread */, GetThreadId(), LowPriorityNice);
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            // An unusual libc: hashing still works, only without the lower priority.
        }
    }

    public void Dispose()
    {
        queue.CompleteAdding();
        foreach (var worker in workers)
        {
            worker.Join(TimeSpan.FromSeconds(5));
        }

        queue.Dispose();
    }

    // DllImport rather than LibraryImport: plain int arguments need no marshalling code, nor unsafe blocks.
    [DllImport("libc", EntryPoint = "gettid")]
    static extern int GetThreadId();

    [DllImport("libc", EntryPoint = "setpriority")]
    static extern int SetPriority(int which, int who, int priority);

    interface IWorkItem
    {
        void Run(TimeSpan maxWait);
    }

    sealed class WorkItem<T>(Func<T> work, long enqueued, CancellationToken ct) : IWorkItem
    {
        // Continuations must not run on the low-priority hashing thread.
        public TaskCompletionSource<T> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Run(TimeSpan maxWait)
        {
            if (ct.IsCancellationRequested)
            {
                Completion.TrySetCanceled(ct);
                return;
            }

            if (Stopwatch.GetElapsedTime(enqueued) > maxWait)
            {
                Completion.TrySetException(new HashingBusyException());
                return;
            }

            try
            {
                Completion.TrySetResult(work());
            }
            catch (Exception e)
            {
                Completion.TrySetException(e);
            }
        }
    }
}

/// <summary>Password hashing is at capacity right now; the client should retry later (503).</summary>
internal sealed class HashingBusyException() : Exception("Password hashing is at capacity.");
