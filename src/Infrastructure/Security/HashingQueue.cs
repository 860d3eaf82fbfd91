using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Options;

namespace UserService.Infrastructure.Security;

/// <summary>
/// Admission control for password hashing: a bounded queue in front of a fixed set of dedicated threads that run at
/// a lower CPU priority (nice 10). When nothing else runs, hashes get every core; when requests need the CPU, the
/// kernel's scheduler gives it to them first (a nice-10 thread weighs about a tenth of a normal one), so reads never
/// wait behind hashing. A full queue fails at once, and a hash that waited <c>MaxQueueWait</c> without a thread fails
/// then, both with <see cref="HashingBusyException"/> (503 with <c>Retry-After</c>) rather than a time-out.
/// </summary>
internal sealed class HashingQueue : IDisposable
{
    const int LowPriorityNice = 10;

    readonly BlockingCollection<IWorkItem> queue = new();
    readonly int queueLimit;
    readonly TimeSpan maxWait;
    readonly Thread[] workers;

    // Items admitted and neither started nor given up: what QueueLimit bounds (given-up items may still sit in the
    // collection until a thread skips them, so its own count would overstate the wait).
    int waiting;

    public HashingQueue(IOptions<PasswordHashingOptions> options)
    {
        var settings = options.Value;
        queueLimit = Math.Max(1, settings.QueueLimit);
        maxWait = settings.MaxQueueWait;
        workers = [.. Enumerable.Range(0, settings.EffectiveConcurrency).Select(i =>
            new Thread(Work) { IsBackground = true, Name = $"password-hash-{i}" })];
        foreach (var worker in workers)
        {
            worker.Start();
        }
    }

    /// <summary>Runs <paramref name="work"/> on a hashing thread, or throws <see cref="HashingBusyException"/> when full.</summary>
    public Task<T> RunAsync<T>(Func<T> work, CancellationToken ct)
    {
        if (Interlocked.Increment(ref waiting) > queueLimit)
        {
            Interlocked.Decrement(ref waiting);
            throw new HashingBusyException();
        }

        var item = new WorkItem<T>(work, this);
        item.Arm(maxWait, ct);
        queue.Add(item, CancellationToken.None);
        return item.Completion.Task;
    }

    void Work()
    {
        LowerPriority();
        foreach (var item in queue.GetConsumingEnumerable())
        {
            item.Run();
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
        void Run();
    }

    /// <summary>Queued, then either claimed by a thread (and run to the end) or given up (waited too long, request gone).</summary>
    sealed class WorkItem<T>(Func<T> work, HashingQueue owner) : IWorkItem
    {
        const int Queued = 0, Claimed = 1, GivenUp = 2;

        int state;
        CancellationTokenSource? timer;
        CancellationTokenRegistration aborted;

        // Continuations must not run on the low-priority hashing thread.
        public TaskCompletionSource<T> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Arm(TimeSpan maxWait, CancellationToken ct)
        {
            timer = new CancellationTokenSource(maxWait);
            timer.Token.Register(() => GiveUp(() => Completion.TrySetException(new HashingBusyException())));
            aborted = ct.Register(() => GiveUp(() => Completion.TrySetCanceled(ct)));
        }

        public void Run()
        {
            if (Interlocked.CompareExchange(ref state, Claimed, Queued) != Queued)
            {
                return;
            }

            Release();
            try
            {
                Completion.TrySetResult(work());
            }
            catch (Exception e)
            {
                Completion.TrySetException(e);
            }
        }

        void GiveUp(Action answer)
        {
            if (Interlocked.CompareExchange(ref state, GivenUp, Queued) == Queued)
            {
                Release();
                answer();
            }
        }

        void Release()
        {
            Interlocked.Decrement(ref owner.waiting);
            timer?.Dispose();
            aborted.Dispose();
        }
    }
}

/// <summary>Password hashing is at capacity right now; the client should retry later (503).</summary>
internal sealed class HashingBusyException() : Exception("Password hashing is at capacity.");
