using System.Collections.Concurrent;
using Routing.Contracts;

namespace Routing.Adapters.Outbound;

/// <summary>
/// The sends this replica made in the last hour, by command id: a SendChannelMessage delivered again (its acknowledgement
/// lost with the broker connection, or the gateway's retry of a publish whose answer it never got) is answered with the
/// first send's outcome and sends nothing. Two copies at once share one send. A send that failed transiently before it
/// reached the provider is forgotten, so that a redelivery tries again; one whose outcome is unknown is not. What it does not cover: a redelivery to another replica, or after this one crashed
/// (tests/Routing.Chaos/README.md, "what is left").
/// </summary>
public sealed class RecentSends(TimeProvider time)
{
    public static readonly TimeSpan Window = TimeSpan.FromHours(1);
    private const int Capacity = 100_000;
    private readonly ConcurrentDictionary<Guid, (Task<SendOutcome> Send, DateTimeOffset At)> _sends = new();

    /// <summary>The outcome of this command's send: the one under way or made before, else <paramref name="send"/>'s.</summary>
    public Task<(SendOutcome Outcome, bool Repeated)> SendOnceAsync(SendChannelMessage command, Func<Task<SendOutcome>> send) =>
        SendOnceAsync(command.CommandId, send);

    /// <summary>The same, for any send with an id of its own (a part of a command that goes as several messages: <see cref="ReplyParts"/>).</summary>
    public async Task<(SendOutcome Outcome, bool Repeated)> SendOnceAsync(Guid sendId, Func<Task<SendOutcome>> send)
    {
        var ours = new TaskCompletionSource<SendOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        var entry = _sends.GetOrAdd(sendId, _ => (ours.Task, time.GetUtcNow()));
        if (entry.Send != ours.Task)
        {
            return (await entry.Send, true);
        }
        Forget();
        try
        {
            var outcome = await send();
            if (outcome.ProviderMessageId is null && !outcome.Permanent && !outcome.Uncertain)
            {
                _sends.TryRemove(sendId, out _);
            }
            ours.SetResult(outcome);
            return (outcome, false);
        }
        catch (Exception ex)
        {
            _sends.TryRemove(sendId, out _);
            ours.SetException(ex);
            throw;
        }
    }

    /// <summary>Drops sends older than the window, and the oldest beyond the capacity.</summary>
    private void Forget()
    {
        if (_sends.Count < Capacity / 2)
        {
            return;
        }
        var horizon = time.GetUtcNow() - Window;
        foreach (var (id, entry) in _sends)
        {
            if (entry.At < horizon && entry.Send.IsCompleted)
            {
                _sends.TryRemove(id, out _);
            }
        }
        foreach (var (id, _) in _sends.Where(e => e.Value.Send.IsCompleted).OrderBy(e => e.Value.At).Take(Math.Max(0, _sends.Count - Capacity)).ToList())
        {
            _sends.TryRemove(id, out _);
        }
    }
}
