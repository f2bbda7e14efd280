namespace Registry.Api.Auth;

/// <summary>Marks a POST endpoint that only reads (MLflow sends some reads as POST): it needs read access, not write access.</summary>
internal sealed class ReadOnlyEndpoint
{
    public static readonly ReadOnlyEndpoint Instance = new();
}

/// <summary>Marks an endpoint any token may call whatever its scope: revoking the very token you call with.</summary>
internal sealed class AnyScopeEndpoint
{
    public static readonly AnyScopeEndpoint Instance = new();
}

/// <summary>What a request does, for authorization: endpoints are classified by what they do, not by their verb.</summary>
internal static class EndpointAccess
{
    public static TBuilder Reads<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(ReadOnlyEndpoint.Instance);

    public static TBuilder AllowsAnyScope<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(AnyScopeEndpoint.Instance);

    public static bool IsRead(HttpContext http) =>
        HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method)
        || http.GetEndpoint()?.Metadata.GetMetadata<ReadOnlyEndpoint>() is not null;

    public static bool AllowsAnyScope(HttpContext http) => http.GetEndpoint()?.Metadata.GetMetadata<AnyScopeEndpoint>() is not null;
}
