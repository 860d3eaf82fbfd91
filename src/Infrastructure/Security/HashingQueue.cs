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
    readonly IOptions<PasswordHashingOptions> options;

    // Started with the first hash: settings are read then, after the host has validated them (this is constructed
    // earlier, when FastEndpoints builds its endpoints).
    readonly Lazy<Thread[]> workers;

    // Items admitted and neither started nor given up: what QueueLimit bounds (given-up items may still sit in the
    // collection until a thread skips them, so its own count would overstate the wait).
    int waiting;

    public HashingQueue(IOptions<PasswordHashingOptions> options)
    {
        this.options = options;
        workers = new(StartWorkers);
    }

    Thread[] StartWorkers()
    {
        Thread[] threads = [.. Enumerable.Range(0, options.Value.EffectiveConcurrency).Select(i =>
            new Thread(Work) { IsBackground = true, Name = $"password-hash-{i}" })];
        foreach (var thread in threads)
        {
            thread.Start();
        }

        return threads;
    }

    /// <summary>Runs <paramref name="work"/> on a hashing thread, or throws <see cref="HashingBusyException"/> when full.</summary>
    public Task<T> RunAsync<T>(Func<T> work, CancellationToken ct)
    {
        _ = workers.Value;
        var settings = options.Value;
        if (Interlocked.Increment(ref waiting) > settings.QueueLimit)
        {
            Interlocked.Decrement(ref waiting);
            throw new HashingBusyException();
        }

        var item = new WorkItem<T>(work, this);
        if (!item.Arm(settings.MaxQueueWait, ct))
        {
            return item.Completion.Task;
        }

        try
        {
            queue.Add(item, CancellationToken.None);
        }
        catch (InvalidOperationException)
        {
            // Shutting down: no thread will take it.
            item.Abandon();
        }

        return item.Completion.Task;
    }

    void Work()
    {
        LowerPriority();
        try
        {
            foreach (var item in queue.GetConsumingEnumerable())
            {
                item.Run();
            }
        }
        catch (ObjectDisposedException)
        {
            // Shut down while this thread was still hashing.
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

    /// <summary>Takes no more work; hashes already queued still run (or time out as usual) while the threads drain them.</summary>
    public void Dispose()
    {
        queue.CompleteAdding();
        var deadline = DateTime.UtcNow.AddSeconds(5);
        var stopped = !workers.IsValueCreated || workers.Value.All(w => w.Join(TimeSpan.FromTicks(Math.Max(0, (deadline - DateTime.UtcNow).Ticks))));
        if (stopped)
        {
            queue.Dispose();
        }
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

        /// <summary>Starts the wait limit and follows the request; false when the request is already gone.</summary>
        public bool Arm(TimeSpan maxWait, CancellationToken ct)
        {
            aborted = ct.Register(() => GiveUp(() => Completion.TrySetCanceled(ct)));
            if (Volatile.Read(ref state) != Queued)
            {
                return false;
            }

            timer = new CancellationTokenSource(maxWait);
            timer.Token.Register(() => GiveUp(() => Completion.TrySetException(new HashingBusyException())));
            return true;
        }

        public void Abandon() => GiveUp(() => Completion.TrySetException(new HashingBusyException()));

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
