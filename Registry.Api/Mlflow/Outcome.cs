using Microsoft.AspNetCore.Http.HttpResults;

namespace Registry.Api.Mlflow;

/// <summary>
/// The one way a store answers: the value, or the MLflow error the request ends with (not found, already exists).
/// Stores return it instead of null, flags or outcome enums; a handler turns it into its declared
/// <c>Results&lt;Ok&lt;T&gt;, MlflowError&gt;</c> with <see cref="Respond{TResponse}"/>. Failures nobody expects still throw.
/// </summary>
public readonly struct Outcome<T>
{
    private readonly T? _value;

    private Outcome(T? value, MlflowError? error)
    {
        _value = value;
        Error = error;
    }

    public MlflowError? Error { get; }

    /// <summary>The value; only read after checking <see cref="Error"/> is null.</summary>
    public T Value => Error is null ? _value! : throw new InvalidOperationException($"The outcome is an error: {Error.Message}");

    public static Outcome<T> Of(T value) => new(value, null);

    public static implicit operator Outcome<T>(T value) => new(value, null);

    public static implicit operator Outcome<T>(MlflowError error) => new(default, error);

    public Results<Ok<TResponse>, MlflowError> Respond<TResponse>(Func<T, TResponse> response) =>
        Error is { } error ? error : TypedResults.Ok(response(_value!));

    /// <summary>For GitLab's deletes, which answer 204 with no body.</summary>
    public Results<NoContent, MlflowError> RespondNoContent() => Error is { } error ? error : TypedResults.NoContent();
}

/// <summary>What a write that answers nothing but success holds: <c>Outcome&lt;Done&gt;</c>, returned as <c>new Done()</c>.</summary>
public readonly record struct Done;
