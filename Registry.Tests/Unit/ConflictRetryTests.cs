using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Registry.Api.Mlflow;

namespace Registry.Tests.Unit;

/// <summary>A request that loses a deadlock runs again, whole; one that keeps losing gets a 503.</summary>
public sealed class ConflictRetryTests
{
    private static readonly PostgresException Deadlock = new("deadlock detected", "ERROR", "ERROR", PostgresErrorCodes.DeadlockDetected);

    [Fact]
    public async Task A_deadlock_victim_is_run_again_with_its_body()
    {
        var bodies = new List<string>();
        var context = JsonRequest("""{"name":"m"}""");
        var middleware = Middleware(async http =>
        {
            bodies.Add(await new StreamReader(http.Request.Body, leaveOpen: true).ReadToEndAsync());
            if (bodies.Count == 1)
            {
                throw Deadlock;
            }
            http.Response.StatusCode = StatusCodes.Status200OK;
        });

        await middleware.InvokeAsync(context);

        Assert.Equal(StatusCodes.Status200OK, context.Response.StatusCode);
        Assert.Equal(["""{"name":"m"}""", """{"name":"m"}"""], bodies);
    }

    [Fact]
    public async Task A_request_that_keeps_losing_gets_temporarily_unavailable_after_four_attempts()
    {
        var attempts = 0;
        var context = JsonRequest("{}");
        var middleware = Middleware(_ => { attempts++; throw Deadlock; });

        await middleware.InvokeAsync(context);

        Assert.Equal(4, attempts);
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, context.Response.StatusCode);
        Assert.Equal("TEMPORARILY_UNAVAILABLE", ErrorCode(context));
    }

    [Fact]
    public async Task A_streamed_upload_is_never_replayed()
    {
        var attempts = 0;
        var context = Request("application/octet-stream", "artifact bytes");
        var middleware = Middleware(_ => { attempts++; throw Deadlock; });

        await middleware.InvokeAsync(context);

        Assert.Equal(1, attempts);
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, context.Response.StatusCode);
    }

    [Fact]
    public async Task A_write_whose_project_was_deleted_while_it_ran_gets_not_found_instead_of_a_500()
    {
        var context = JsonRequest("{}");
        var middleware = Middleware(_ => throw new PostgresException(
            "insert or update on table \"experiments\" violates foreign key constraint", "ERROR", "ERROR", PostgresErrorCodes.ForeignKeyViolation));

        await middleware.InvokeAsync(context);

        Assert.Equal(StatusCodes.Status404NotFound, context.Response.StatusCode);
        Assert.Equal("RESOURCE_DOES_NOT_EXIST", ErrorCode(context));
    }

    [Fact]
    public async Task A_log_batch_sized_body_is_kept_in_memory_while_it_is_read()
    {
        var inMemory = false;
        var context = JsonRequest("{\"metrics\":[" + string.Join(",", Enumerable.Repeat("{\"key\":\"loss\",\"value\":0.5,\"timestamp\":1,\"step\":1}", 1500)) + "]}");
        Assert.True(context.Request.ContentLength > 64 * 1024);
        var middleware = Middleware(async http =>
        {
            await new StreamReader(http.Request.Body, leaveOpen: true).ReadToEndAsync();
            inMemory = ((Microsoft.AspNetCore.WebUtilities.FileBufferingReadStream)http.Request.Body).InMemory;
        });

        await middleware.InvokeAsync(context);

        Assert.True(inMemory);
    }

    [Fact]
    public async Task A_body_over_a_mebibyte_is_spooled_and_still_run_again_whole()
    {
        var json = "{\"description\":\"" + new string('x', 2 * 1024 * 1024) + "\"}";
        var bodies = new List<string>();
        var context = JsonRequest(json);
        var middleware = Middleware(async http =>
        {
            bodies.Add(await new StreamReader(http.Request.Body, leaveOpen: true).ReadToEndAsync());
            if (bodies.Count == 1)
            {
                throw Deadlock;
            }
        });

        await middleware.InvokeAsync(context);

        Assert.Equal([json, json], bodies);
    }

    private static MlflowErrorMiddleware Middleware(RequestDelegate next) =>
        new(next, NullLogger<MlflowErrorMiddleware>.Instance, Options.Create(new RequestLimits()),
            new ExpectedFailureLog(NullLogger<ExpectedFailureLog>.Instance, TimeProvider.System));

    private static DefaultHttpContext JsonRequest(string json) => Request("application/json", json);

    private static DefaultHttpContext Request(string contentType, string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var context = new DefaultHttpContext { RequestServices = new ServiceCollection().BuildServiceProvider() };
        context.Request.Method = HttpMethods.Post;
        context.Request.ContentType = contentType;
        context.Request.ContentLength = bytes.Length;
        context.Request.Body = new MemoryStream(bytes);
        context.Response.Body = new MemoryStream();
        return context;
    }

    private static string? ErrorCode(HttpContext context)
    {
        context.Response.Body.Position = 0;
        return JsonDocument.Parse(context.Response.Body).RootElement.GetProperty("error_code").GetString();
    }
}
