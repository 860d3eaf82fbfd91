using System.Text.Json;
using System.Text.RegularExpressions;
using FluentValidation.Results;

namespace UserService.Infrastructure.Http;

/// <summary>
/// What a client is told about JSON it sent that does not fit the request: the member (by JSON path) and what is
/// wrong with it, in words of the contract. Never System.Text.Json's own message, which names internal .NET types
/// (<c>UserService.Features.Users.Create.Request</c>, <c>System.Int32</c>).
/// </summary>
internal static partial class JsonErrors
{
    public const string SerializerErrors = "serializerErrors";

    public static ValidationFailure Describe(JsonException e)
    {
        var message = e.Message;
        var unknown = UnknownProperty().Match(message);
        var name = unknown.Success ? unknown.Groups["name"].Value
            : e.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal) ? path[2..]
            : SerializerErrors;
        var where = e.LineNumber is { } line && e.BytePositionInLine is { } position ? $" (line {line + 1}, byte {position + 1})" : "";
        return message switch
        {
            _ when unknown.Success => new(name, $"{name} is not a property of this request."),
            _ when message.Contains("Duplicate", StringComparison.OrdinalIgnoreCase) => new(name, $"{name} is given more than once."),
            // Not any "depth": a truncated body is "Expected depth to be zero at the end of the JSON payload".
            _ when message.Contains("maximum configured depth", StringComparison.Ordinal) => new(name, $"The JSON nests deeper than allowed{where}."),
            _ when message.Contains("could not be converted", StringComparison.Ordinal) || e.InnerException is InvalidOperationException or FormatException
                => new(name, name == SerializerErrors ? $"The body must be a JSON object{where}." : $"{name} has the wrong JSON type{where}."),
            // Broken syntax (truncated, a stray token) is the body's fault, wherever the reader stopped.
            _ => new(SerializerErrors, $"The body is not valid JSON{where}."),
        };
    }

    [GeneratedRegex("""^The JSON property '(?<name>.*)' could not be mapped""", RegexOptions.Singleline)]
    private static partial Regex UnknownProperty();
}
