namespace Registry.Web.Rendering;

/// <summary>GitLab's access levels, as the API reports them. The UI only hides what a level may not do; the API decides.</summary>
public static class AccessLevels
{
    public const int Guest = 10;
    public const int Reporter = 20;
    public const int Developer = 30;
    public const int Maintainer = 40;
    public const int Owner = 50;

    public static readonly int[] All = [Guest, Reporter, Developer, Maintainer, Owner];
}
