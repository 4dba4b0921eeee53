namespace Routing.AgentGateway.Delivery;

/// <summary>
/// Lets the dispatcher start a round as soon as a delivery is queued on any replica (the event signal's LISTEN
/// wakes it) instead of at its next poll; polling stays, so a lost wake-up only delays a delivery.
/// </summary>
internal sealed class DeliveryWakeup
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task NextAsync() => Volatile.Read(ref _next).Task;

    public void Wake() => Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}
