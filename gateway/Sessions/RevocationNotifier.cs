namespace Gateway.Sessions;

/// <summary>
/// Fans state changes out to <see cref="IRevocationListener"/>s. The stores and the Redis subscriber call it after they
/// have dropped their cached copy, so a listener that reads the store sees the new state. Keeps the store contract
/// free of listeners: a store only reports, it never knows who listens.
/// </summary>
internal sealed class RevocationNotifier
{
    private volatile IRevocationListener[] _listeners = [];
    private readonly Lock _lock = new();

    /// <summary>Adds a listener for the life of the process (the listeners are singletons).</summary>
    public void Subscribe(IRevocationListener listener)
    {
        lock (_lock)
        {
            _listeners = [.. _listeners, listener];
        }
    }

    public void UserChanged(UserKey user, string kind)
    {
        foreach (var listener in _listeners)
        {
            listener.UserChanged(user, kind);
        }
    }

    public void EveryUserChanged()
    {
        foreach (var listener in _listeners)
        {
            listener.EveryUserChanged();
        }
    }
}
