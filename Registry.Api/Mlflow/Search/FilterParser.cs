using System.Globalization;
using System.Text;

namespace Registry.Api.Mlflow.Search;

/// <summary>
/// Parses MLflow's search filter grammar (mlflow/utils/search_utils.py): comparisons joined by AND.
/// <code>name LIKE 'prod-%' AND tags.`team name` = "ml" AND run_id IN ('a', 'b')</code>
/// It only produces a syntax tree: callers decide which identifiers and operators they allow and turn clauses
/// into parameterised SQL. Nothing from a filter is ever spliced into a query.
/// </summary>
public sealed class FilterParser
{
    public const int MaxLength = 10_000;
    public const int MaxClauses = 50;

    private static readonly string[] SymbolOperators = ["!=", "<>", ">=", "<=", "=", ">", "<"];

    private readonly string _text;
    private int _position;

    private FilterParser(string text) => _text = text;

    public static IReadOnlyList<FilterClause> Parse(string? filter)
    {
        if (string.IsNullOrWhiteSpace(filter))
        {
            return [];
        }
        if (filter.Length > MaxLength)
        {
            throw Invalid($"The filter is {filter.Length} characters long; at most {MaxLength} are allowed.");
        }
        return new FilterParser(filter).ParseClauses();
    }

    /// <summary>An order_by entry over entities: <c>metrics.`val loss` DESC</c>, <c>attributes.start_time</c>, <c>params.lr ASC</c>.</summary>
    public static (Identifier Identifier, bool Descending) ParseOrderClause(string entry)
    {
        var parser = new FilterParser(entry);
        var identifier = parser.ParseIdentifier();
        var direction = parser.ReadWord().ToUpperInvariant();
        parser.SkipWhitespace();
        if (direction is not ("" or "ASC" or "DESC") || !parser.AtEnd)
        {
            throw Invalid($"Invalid order_by clause '{entry}': expected '<key> [ASC|DESC]'.");
        }
        return (identifier, direction == "DESC");
    }

    private List<FilterClause> ParseClauses()
    {
        var clauses = new List<FilterClause> { ParseClause() };
        while (true)
        {
            SkipWhitespace();
            if (AtEnd)
            {
                return clauses;
            }
            var word = ReadWord();
            if (!word.Equals("AND", StringComparison.OrdinalIgnoreCase))
            {
                throw Invalid(word.Equals("OR", StringComparison.OrdinalIgnoreCase)
                    ? "Invalid filter: OR is not supported; join comparisons with AND."
                    : $"Invalid filter: expected AND at position {_position - word.Length}, found '{Describe(word)}'.");
            }
            if (clauses.Count == MaxClauses)
            {
                throw Invalid($"The filter has more than {MaxClauses} comparisons.");
            }
            clauses.Add(ParseClause());
        }
    }

    private FilterClause ParseClause()
    {
        var identifier = ParseIdentifier();
        var op = ParseOperator();
        object value = op is "IN" or "NOT IN" ? ParseList() : ParseValue();
        return new FilterClause(identifier, op, value);
    }

    private Identifier ParseIdentifier()
    {
        SkipWhitespace();
        if (AtEnd)
        {
            throw Invalid("Invalid filter: expected a comparison such as name = 'x' but the filter ended.");
        }
        var start = _position;
        var head = ReadWhile(c => char.IsLetterOrDigit(c) || c == '_');
        if (head.Length == 0)
        {
            // MLflow allows a quoted attribute name on its own: `name` or "name".
            if (Current is '`' or '"')
            {
                return new Identifier(IdentifierKind.Attribute, ReadQuoted(Current));
            }
            throw Invalid($"Invalid filter: expected an identifier at position {start}, found '{Describe(Rest)}'.");
        }
        if (AtEnd || Current != '.')
        {
            return new Identifier(IdentifierKind.Attribute, head);
        }

        _position++;
        var kind = head.ToLowerInvariant() switch
        {
            "tag" or "tags" => IdentifierKind.Tag,
            "metric" or "metrics" => IdentifierKind.Metric,
            "param" or "params" or "parameter" or "parameters" => IdentifierKind.Param,
            "attribute" or "attributes" or "attr" or "run" => IdentifierKind.Attribute,
            _ => throw Invalid($"Invalid filter: unknown entity type '{head}' in '{_text[start..Math.Min(_text.Length, _position + 20)]}'; use tags.<key>, metrics.<key>, params.<key> or attributes.<name>."),
        };
        var key = !AtEnd && Current is '`' or '"'
            ? ReadQuoted(Current)
            : ReadWhile(c => char.IsLetterOrDigit(c) || c is '_' or '.' or '/' or '-');
        if (key.Length == 0)
        {
            throw Invalid($"Invalid filter: '{head}.' must be followed by a key; quote keys with special characters in backticks.");
        }
        return new Identifier(kind, key);
    }

    private string ParseOperator()
    {
        SkipWhitespace();
        foreach (var symbol in SymbolOperators)
        {
            if (string.CompareOrdinal(_text, _position, symbol, 0, symbol.Length) == 0)
            {
                _position += symbol.Length;
                return symbol == "<>" ? "!=" : symbol;
            }
        }

        var word = ReadWord().ToUpperInvariant();
        switch (word)
        {
            case "LIKE" or "ILIKE" or "IN":
                return word;
            case "NOT":
                var next = ReadWord().ToUpperInvariant();
                if (next is "IN" or "LIKE" or "ILIKE")
                {
                    return $"NOT {next}";
                }
                throw Invalid($"Invalid filter: NOT must be followed by IN, LIKE or ILIKE, found '{Describe(next)}'.");
            case "":
                throw Invalid(AtEnd
                    ? "Invalid filter: a comparison ended without an operator and a value."
                    : $"Invalid filter: expected a comparison operator at position {_position}, found '{Describe(Rest)}'.");
            default:
                throw Invalid($"Invalid filter: '{word}' is not a comparison operator; use =, !=, <, <=, >, >=, LIKE, ILIKE or IN.");
        }
    }

    private object ParseValue()
    {
        SkipWhitespace();
        if (AtEnd)
        {
            throw Invalid("Invalid filter: a comparison is missing its value.");
        }
        if (Current is '\'' or '"')
        {
            return ReadQuoted(Current);
        }

        var start = _position;
        var number = ReadWhile(c => char.IsAsciiDigit(c) || c is '.' or '-' or '+' or 'e' or 'E');
        if (number.Length > 0 && double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }
        _position = start;
        throw Invalid($"Invalid filter: expected a quoted string or a number at position {start}, found '{Describe(Rest)}'. Quote string values: name = 'my-model'.");
    }

    private List<string> ParseList()
    {
        SkipWhitespace();
        if (AtEnd || Current != '(')
        {
            throw Invalid("Invalid filter: IN must be followed by a parenthesised list of quoted values: run_id IN ('a', 'b').");
        }
        _position++;
        var values = new List<string>();
        while (true)
        {
            if (ParseValue() is not string value)
            {
                throw Invalid("Invalid filter: values in an IN list must be quoted strings.");
            }
            values.Add(value);
            SkipWhitespace();
            if (AtEnd)
            {
                throw Invalid("Invalid filter: an IN list is missing its closing parenthesis.");
            }
            var separator = _text[_position++];
            if (separator == ')')
            {
                return values;
            }
            if (separator != ',')
            {
                throw Invalid($"Invalid filter: expected ',' or ')' in an IN list, found '{separator}'.");
            }
        }
    }

    /// <summary>A quoted string; the quote character is escaped by doubling it or by a backslash.</summary>
    private string ReadQuoted(char quote)
    {
        var start = _position++;
        var value = new StringBuilder();
        while (!AtEnd)
        {
            var c = _text[_position++];
            if (c == '\\' && !AtEnd && _text[_position] is var escaped && (escaped == quote || escaped == '\\'))
            {
                value.Append(escaped);
                _position++;
            }
            else if (c == quote)
            {
                if (!AtEnd && _text[_position] == quote)
                {
                    value.Append(quote);
                    _position++;
                    continue;
                }
                return value.ToString();
            }
            else
            {
                value.Append(c);
            }
        }
        throw Invalid($"Invalid filter: the quoted text starting at position {start} is never closed.");
    }

    private string ReadWord()
    {
        SkipWhitespace();
        return ReadWhile(char.IsLetter);
    }

    private string ReadWhile(Func<char, bool> accept)
    {
        var start = _position;
        while (!AtEnd && accept(_text[_position]))
        {
            _position++;
        }
        return _text[start.._position];
    }

    private void SkipWhitespace()
    {
        while (!AtEnd && char.IsWhiteSpace(_text[_position]))
        {
            _position++;
        }
    }

    private bool AtEnd => _position >= _text.Length;
    private char Current => _text[_position];
    private string Rest => _text[_position..];

    private static string Describe(string text) => text.Length == 0 ? "end of filter" : text.Length <= 30 ? text : text[..30] + "...";

    public static MlflowException Invalid(string message) => new(MlflowError.InvalidParameterValue(message));
}
