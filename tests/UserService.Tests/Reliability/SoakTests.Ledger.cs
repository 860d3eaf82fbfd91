using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Dapper;

namespace UserService.Tests.Reliability;

/// <summary>The soak's bookkeeping: what each client sent, what the answers allow, what it saw.</summary>
public sealed partial class SoakTests
{
    /// <summary>A user's row as the ledger and the database see it.</summary>
    sealed record State(long Version, string FullName)
    {
        public override string ToString() => $"(version {Version}, {FullName})";
    }

    /// <summary>When PostgreSQL was certainly down: after its stop returned, before its start began.</summary>
    sealed class Outage
    {
        long downTicks = long.MaxValue;
        long startingTicks = long.MaxValue;

        public TimeSpan DownAt => TimeSpan.FromTicks(Volatile.Read(ref downTicks));

        public TimeSpan StartingAt => TimeSpan.FromTicks(Volatile.Read(ref startingTicks));

        public void Down(TimeSpan at) => Volatile.Write(ref downTicks, at.Ticks);

        public void Starting(TimeSpan at) => Volatile.Write(ref startingTicks, at.Ticks);

        /// <summary>Judged right after the answer: a start not yet begun lies after it.</summary>
        public bool Covers(Exchange e) => e.SentAt.Ticks > Volatile.Read(ref downTicks) && e.DoneAt.Ticks < Volatile.Read(ref startingTicks);
    }

    sealed class TrackedUser(string email)
    {
        public string Email { get; } = email;

        public Guid? Id { get; set; }

        /// <summary>Every state the answers so far allow; null is "no row".</summary>
        public List<State?> Candidates { get; set; } = [];
    }

    enum Fate { Acknowledged, Refused, Ambiguous, Wrong }
}
