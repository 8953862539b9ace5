using System.Globalization;

namespace StabilityLab.Models;

/// <summary>
/// Recursive-descent parser for τ rules. Grammar (usual precedence, ^ binds tightest and is
/// right-associative, and its exponent may carry a sign: <c>L^-0.5</c>):
/// expr := term (('+'|'-') term)*;  term := unary (('*'|'/') unary)*;
/// unary := ('-'|'+') unary | power;  power := atom (('^'|'**') unary)?;
/// atom := number | name | name '(' expr ')' | '(' expr ')'.
/// </summary>
internal sealed class TauExpressionParser
{
    private readonly string _text;
    private int _pos;

    private TauExpressionParser(string text) => _text = text;

    public static TauExpression Parse(string text)
    {
        var p = new TauExpressionParser(text);
        var e = p.Expr();
        p.SkipSpace();
        if (p._pos < text.Length) throw p.Error($"unexpected '{text[p._pos]}'");
        return e;
    }

    private TauExpression Expr()
    {
        var left = Term();
        while (true)
        {
            if (Accept('+')) left = new BinaryNode('+', left, Term());
            else if (Accept('-')) left = new BinaryNode('-', left, Term());
            else return left;
        }
    }

    private TauExpression Term()
    {
        var left = Unary();
        while (true)
        {
            SkipSpace();
            if (Peek("**")) return left; // handled by Power
            if (Accept('*')) left = new BinaryNode('*', left, Unary());
            else if (Accept('/')) left = new BinaryNode('/', left, Unary());
            else return left;
        }
    }

    private TauExpression Unary()
    {
        if (Accept('-')) return new UnaryNode('-', Unary());
        if (Accept('+')) return Unary();
        return Power();
    }

    private TauExpression Power()
    {
        var atom = Atom();
        SkipSpace();
        if (Peek("**")) { _pos += 2; return new BinaryNode('^', atom, Unary()); }
        if (Accept('^')) return new BinaryNode('^', atom, Unary());
        return atom;
    }

    private TauExpression Atom()
    {
        SkipSpace();
        if (_pos >= _text.Length) throw Error("unexpected end of rule");
        char c = _text[_pos];
        if (Accept('('))
        {
            var e = Expr();
            if (!Accept(')')) throw Error("missing ')'");
            return e;
        }
        if (char.IsDigit(c) || c == '.') return Number();
        if (char.IsLetter(c) || c == '_')
        {
            int start = _pos;
            while (_pos < _text.Length && (char.IsLetterOrDigit(_text[_pos]) || _text[_pos] == '_')) _pos++;
            var name = _text[start.._pos];
            SkipSpace();
            if (_pos < _text.Length && _text[_pos] == '(')
            {
                if (!FunctionNode.Functions.ContainsKey(name))
                    throw Error($"unknown function '{name}' (known: {string.Join(", ", FunctionNode.Functions.Keys)})");
                _pos++;
                var arg = Expr();
                if (!Accept(')')) throw Error("missing ')'");
                return new FunctionNode(name, arg);
            }
            if (FunctionNode.Functions.ContainsKey(name)) throw Error($"function '{name}' needs an argument in parentheses");
            return new VariableNode(name);
        }
        throw Error($"unexpected '{c}'");
    }

    private NumberNode Number()
    {
        int start = _pos;
        while (_pos < _text.Length && (char.IsDigit(_text[_pos]) || _text[_pos] == '.')) _pos++;
        if (_pos < _text.Length && (_text[_pos] == 'e' || _text[_pos] == 'E'))
        {
            int save = _pos++;
            if (_pos < _text.Length && (_text[_pos] == '+' || _text[_pos] == '-')) _pos++;
            if (_pos < _text.Length && char.IsDigit(_text[_pos]))
                while (_pos < _text.Length && char.IsDigit(_text[_pos])) _pos++;
            else _pos = save;
        }
        var s = _text[start.._pos];
        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v))
            throw Error($"bad number '{s}'");
        return new NumberNode(v);
    }

    private void SkipSpace()
    {
        while (_pos < _text.Length && char.IsWhiteSpace(_text[_pos])) _pos++;
    }

    private bool Peek(string s) => string.CompareOrdinal(_text, _pos, s, 0, s.Length) == 0;

    private bool Accept(char c)
    {
        SkipSpace();
        if (_pos < _text.Length && _text[_pos] == c) { _pos++; return true; }
        return false;
    }

    private SpecException Error(string what) => new($"bad τ rule '{_text}': {what} at position {_pos + 1}");
}
