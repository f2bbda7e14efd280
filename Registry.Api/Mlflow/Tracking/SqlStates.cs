namespace Registry.Api.Mlflow.Tracking;

/// <summary>The SQLSTATEs the database's own refusals raise (see the Tracking migration); their messages are for the client.</summary>
internal static class SqlStates
{
    /// <summary>Raised by registry_fail(): the request is invalid (400).</summary>
    public const string Rejected = "RG400";

    /// <summary>Raised by registry_missing(): the write names something the project does not have (404).</summary>
    public const string Missing = "RG404";
}
