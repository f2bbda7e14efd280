namespace Registry.Api.Auth;

/// <summary>
/// What a writer of tokens and memberships tells this process's auth cache, so that its own next request sees the change
/// at once (other processes hear the database's change notifications). A process without a cache, like the admin CLI,
/// uses <see cref="None"/>.
/// </summary>
public interface IAuthCacheInvalidation
{
    void ForgetToken(byte[] digest);

    void ForgetMembership(long userId, long projectId);

    public static readonly IAuthCacheInvalidation None = new NoCache();

    private sealed class NoCache : IAuthCacheInvalidation
    {
        public void ForgetToken(byte[] digest) { }

        public void ForgetMembership(long userId, long projectId) { }
    }
}
