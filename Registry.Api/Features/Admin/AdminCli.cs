using Microsoft.Extensions.Options;
using Npgsql;
using Registry.Api.Auth;
using Registry.Api.Changes;
using Registry.Api.Mlflow;
using Registry.Data.Entities;

namespace Registry.Api.Features.Admin;

/// <summary>
/// <c>dotnet run --project Registry.Api -- admin &lt;command&gt;</c>: the first administrator, and scripting.
/// Talks to the database named by <c>ConnectionStrings__registrydb</c>; prints tokens alone on stdout.
/// </summary>
internal static class AdminCli
{
    private const string Usage =
        """
        usage: Registry.Api admin <command>
          create-user <username> [--admin]
          create-project <name> [--owner <username>]
          add-member <project-id> <username> <guest|reporter|developer|maintainer|owner>
          create-token <username> [--name <name>] [--scopes api,read_api] [--expires-at yyyy-mm-dd]
          revoke-token <token-id>
          list-users | list-projects | list-tokens [<username>]
        Tokens expire after Registry:Auth:DefaultTokenLifetimeDays (30) unless --expires-at says when
        (at most Registry:Auth:MaxTokenLifetimeDays, 365, from today).
        The database comes from ConnectionStrings__registrydb.
        """;

    public static bool IsInvocation(string[] args) => args.Length > 0 && args[0] == "admin";

    public static async Task<int> RunAsync(string[] args)
    {
        var configuration = new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .Build();
        var connectionString = configuration.GetConnectionString("registrydb");
        if (args.Length < 2 || string.IsNullOrEmpty(connectionString))
        {
            await Console.Error.WriteLineAsync(string.IsNullOrEmpty(connectionString) ? "ConnectionStrings__registrydb is not set.\n" + Usage : Usage);
            return 2;
        }

        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        Actor.Current = Actor.Cli();
        await using var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddAuthOptions().Services.BuildServiceProvider();
        try
        {
            var auth = Options.Create(services.GetRequiredService<IOptions<AuthOptions>>().Value);
            return await RunAsync(new AdminStore(dataSource, IAuthCacheInvalidation.None), new TokenStore(dataSource, IAuthCacheInvalidation.None),
                new TokenLifetime(auth, TimeProvider.System), args[1], args[2..]);
        }
        catch (OptionsValidationException e)
        {
            await Console.Error.WriteLineAsync(e.Message);
            return 2;
        }
        catch (MlflowException e)
        {
            await Console.Error.WriteLineAsync(e.Error.Message);
            return 1;
        }
        catch (Exception e) when (e is NpgsqlException or FormatException or IndexOutOfRangeException)
        {
            await Console.Error.WriteLineAsync(e is IndexOutOfRangeException ? Usage : e.Message);
            return e is IndexOutOfRangeException ? 2 : 1;
        }
    }

    private static async Task<int> RunAsync(AdminStore store, TokenStore tokens, TokenLifetime lifetime, string command, string[] args)
    {
        var ct = CancellationToken.None;
        switch (command)
        {
            case "create-user":
                var user = await store.CreateUserAsync(AdminValidation.Name(args[0], "username", 255), args.Contains("--admin"), ct);
                return await Report(user.Error is null ? $"user {user.Value.Id} {user.Value.Username}{(user.Value.IsAdmin ? " (administrator)" : "")}" : null, "that username is taken");
            case "create-project":
                var project = await store.CreateProjectAsync(AdminValidation.Name(args[0], "name", 255), ct);
                if (Option(args, "--owner") is { } owner)
                {
                    await store.SetMemberAsync(project.Id, await UserIdAsync(store, owner), AccessLevel.Owner, AccessLevel.Owner, ct);
                }
                return await Report($"project {project.Id} {project.Name}", "");
            case "add-member":
                var level = Enum.Parse<AccessLevel>(args[2], ignoreCase: true);
                var member = await store.SetMemberAsync(long.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture), await UserIdAsync(store, args[1]), level, AccessLevel.Owner, ct);
                return await Report(member.Error is null ? $"{member.Value.Username} is {level} of project {args[0]}" : null, "no such project");
            case "create-token":
                var token = await tokens.CreateAsync(await UserIdAsync(store, args[0]), Option(args, "--name") ?? "cli",
                    AdminValidation.Scopes((Option(args, "--scopes") ?? "api").Split(',')),
                    lifetime.ForNewToken(Option(args, "--expires-at") is { } date ? DateOnly.Parse(date, System.Globalization.CultureInfo.InvariantCulture) : null), ct);
                return await Report(token.Error is null ? token.Value.Token : null, "no such user");
            case "revoke-token":
                var revoked = await tokens.RevokeAsync(long.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture), ct);
                return await Report(revoked.Error is null ? $"token {args[0]} revoked" : null, "no such token");
            case "list-users":
                foreach (var u in await store.UsersAsync(null, ct)) Console.WriteLine($"{u.Id}\t{u.Username}\t{(u.IsAdmin ? "admin" : "")}");
                return 0;
            case "list-projects":
                foreach (var p in await store.ProjectsAsync(null, ct)) Console.WriteLine($"{p.Id}\t{p.Name}");
                return 0;
            case "list-tokens":
                long? owner2 = args.Length > 0 ? await UserIdAsync(store, args[0]) : null;
                foreach (var t in await tokens.ListAsync(owner2, null, ct))
                    Console.WriteLine($"{t.Id}\t{t.Name}\tuser {t.UserId}\t{string.Join(',', t.Scopes)}\t{(t.Active ? "active" : "inactive")}\t{t.ExpiresAt}");
                return 0;
            default:
                await Console.Error.WriteLineAsync(Usage);
                return 2;
        }
    }

    private static async Task<long> UserIdAsync(AdminStore store, string username) =>
        (await store.UsersAsync(username, CancellationToken.None)).SingleOrDefault()?.Id
        ?? throw new MlflowException(MlflowError.ResourceDoesNotExist($"No user named '{username}'."));

    private static string? Option(string[] args, string name) =>
        Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;

    private static async Task<int> Report(string? success, string failure)
    {
        if (success is null)
        {
            await Console.Error.WriteLineAsync(failure);
            return 1;
        }
        Console.WriteLine(success);
        return 0;
    }
}
