using Registry.Api.Features.RegisteredModels;
using Registry.Api.Mlflow;

namespace Registry.Tests.Unit;

public sealed class RegisteredModelValidationTests
{
    [Theory]
    [InlineData("simple")]
    [InlineData("with space")]
    [InlineData("mlflow.user")]
    [InlineData("nested/path/key")]
    [InlineData("dash-and_underscore.dot")]
    [InlineData("ünïcödé")]
    [InlineData("..dots-inside..name")]
    public void Valid_tag_keys_pass_unchanged(string key) => Assert.Equal(key, RegisteredModelValidation.TagKey(key));

    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("a/../b")]
    [InlineData("a/./b")]
    [InlineData("/leading")]
    [InlineData("trailing/")]
    [InlineData("double//slash")]
    [InlineData("back\\slash")]
    [InlineData("quote'")]
    [InlineData("tab\t")]
    public void Invalid_tag_keys_are_INVALID_PARAMETER_VALUE(string key)
    {
        var error = Assert.Throws<MlflowException>(() => RegisteredModelValidation.TagKey(key)).Error;

        Assert.Equal("INVALID_PARAMETER_VALUE", error.ErrorCode);
    }

    [Fact]
    public void Tags_with_repeated_keys_keep_the_last_value_in_first_seen_order()
    {
        var tags = RegisteredModelValidation.Tags([new("a", "1"), new("b", "2"), new("a", "3")]);

        Assert.Equal([new("a", "3"), new("b", "2")], tags);
    }

    [Theory]
    [InlineData("INVALID_PARAMETER_VALUE", 400)]
    [InlineData("RESOURCE_ALREADY_EXISTS", 400)]
    [InlineData("UNAUTHENTICATED", 401)]
    [InlineData("PERMISSION_DENIED", 403)]
    [InlineData("RESOURCE_DOES_NOT_EXIST", 404)]
    [InlineData("ENDPOINT_NOT_FOUND", 404)]
    [InlineData("REQUEST_LIMIT_EXCEEDED", 429)]
    [InlineData("INTERNAL_ERROR", 500)]
    [InlineData("TEMPORARILY_UNAVAILABLE", 503)]
    public void Error_codes_map_to_MLflow_statuses(string code, int status) => Assert.Equal(status, MlflowError.StatusFor(code));

    [Fact]
    public void Text_that_PostgreSQL_cannot_store_is_refused()
    {
        // Built from chars: test-case attributes would turn lone surrogates into U+FFFD.
        string[] unstorable = ["nul\0inside", $"lone {(char)0xD800} high", $"lone {(char)0xDC00} low", $"reversed {(char)0xDC00}{(char)0xD800}"];

        Assert.All(unstorable, value => Assert.Throws<MlflowException>(() => Text.Storable(value, "field")));
    }

    [Fact]
    public void Surrogate_pairs_are_storable() => Assert.Equal("emoji 😀", Text.Storable("emoji 😀", "field"));
}
