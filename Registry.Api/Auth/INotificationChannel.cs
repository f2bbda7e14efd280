namespace Registry.Api.Auth;

/// <summary>
/// Another PostgreSQL notification channel heard on <see cref="AuthChangeListener"/>'s connection, so that each API
/// process keeps one listening connection however many features wait on the database.
/// </summary>
public interface INotificationChannel
{
    string Name { get; }

    /// <summary>A notification arrived (on the listener's thread: hand work off, do not block).</summary>
    void Notified(string payload);

    /// <summary>The connection is (back) up: notifications sent while it was down are lost, so look for missed work.</summary>
    void Listening();
}
