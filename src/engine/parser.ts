// The argument grammar (README: what staff type): `键=值` tokens, `键：值` lines (full- or half-width colon),
// “quoted” or "quoted" values, and positional arguments, with field-name aliases.

export type ParseResult = { ok: true; values: Record<string, string> } | { ok: false; error: string };

interface Token {
  text: string;
  /** where the first quoted part starts in text; separators from there on are content */
  quotedFrom: number;
}

const OPEN_TO_CLOSE: Record<string, string> = { '“': '”', '"': '"', '「': '」', '『': '』', '‘': '’' };
const SPACE = /[\s\u3000]/;
const SEPARATORS = ['=', '＝', ':', '：'];

export function tokenize(line: string): Token[] {
  const tokens: Token[] = [];
  let text = '';
  let quotedFrom = -1;
  let started = false;
  const chars = [...line];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    const close = OPEN_TO_CLOSE[c];
    if (close) {
      if (quotedFrom < 0) quotedFrom = text.length;
      started = true;
      let j = i + 1;
      while (j < chars.length && chars[j] !== close) text += chars[j++];
      i = j; // an unclosed quote runs to the end of the line
    } else if (SPACE.test(c)) {
      if (started) tokens.push({ text, quotedFrom: quotedFrom < 0 ? text.length : quotedFrom });
      text = '';
      quotedFrom = -1;
      started = false;
    } else {
      text += c;
      started = true;
    }
  }
  if (started) tokens.push({ text, quotedFrom: quotedFrom < 0 ? text.length : quotedFrom });
  return tokens;
}

function splitKey(token: Token): { key: string; sep: string; value: string } | null {
  let at = -1;
  for (const s of SEPARATORS) {
    const i = token.text.indexOf(s);
    if (i > 0 && i < token.quotedFrom && (at < 0 || i < at)) at = i;
  }
  if (at < 0) return null;
  return { key: token.text.slice(0, at), sep: token.text[at]!, value: token.text.slice(at + 1) };
}

const EQUALS = ['=', '＝'];

/**
 * The tokens of a line, with `标题 = 值` and `标题 =值` joined into `标题=` and `标题=值`: staff put
 * spaces around the equals sign. Only after a word naming a field, so text such as a 反馈's
 * `a = b` stays text.
 */
function fieldTokens(line: string, canonical: (typed: string) => string | null): Token[] {
  const tokens = tokenize(line);
  for (let i = tokens.length - 2; i >= 0; i--) {
    const [word, next] = [tokens[i]!, tokens[i + 1]!];
    const plain = word.quotedFrom === word.text.length && splitKey(word) === null;
    if (plain && EQUALS.includes(next.text[0]!) && next.quotedFrom > 0 && canonical(word.text) !== null) {
      tokens.splice(i, 2, { text: word.text + next.text, quotedFrom: word.text.length + next.quotedFrom });
    }
  }
  return tokens;
}

function unquote(value: string): string {
  const v = value.trim();
  const close = OPEN_TO_CLOSE[v[0] ?? ''];
  return close && v.length >= 2 && v.endsWith(close) ? v.slice(1, -1) : v;
}

/**
 * Parses what follows a command name into field values keyed by the declared field names.
 * `canonical` maps a typed name (or alias) to a declared field, or null.
 */
export function parseArguments(
  rest: string,
  declared: readonly string[],
  args: readonly string[],
  canonical: (typed: string) => string | null,
): ParseResult {
  const values: Record<string, string> = {};
  const positional: string[] = [];
  // after an unquoted 键=值, following plain words continue that value: 标题=关于做好 防汛工作
  let continuing: string | null = null;

  const set = (field: string, value: string): string | null => {
    if (field in values) return `字段「${field}」写了两次`;
    values[field] = value;
    return null;
  };

  for (const line of rest.split(/\r?\n/)) {
    const lineField = /^[\s\u3000]*([^\s\u3000:：=＝]{1,12})[\s\u3000]*[:：][\s\u3000]*(.*)$/.exec(line);
    const lineKey = lineField ? canonical(lineField[1]!) : null;
    // a 键：值 line keeps its spaces, unless it really holds several fields: 标题：防汛 来文单位：市政府
    const severalFields = lineField !== null && fieldTokens(lineField[2]!, canonical).some((t) => {
      const kv = splitKey(t);
      return kv !== null && canonical(kv.key) !== null;
    });
    if (lineField && lineKey && !severalFields) {
      const error = set(lineKey, unquote(lineField[2]!));
      if (error) return { ok: false, error };
      continuing = null;
      continue;
    }
    const tokens = fieldTokens(line, canonical);
    for (let i = 0; i < tokens.length; i++) {
      const token = tokens[i]!;
      const kv = splitKey(token);
      const field = kv ? canonical(kv.key) : null;
      if (kv && field) {
        let value = kv.value;
        let quoted = token.quotedFrom < token.text.length;
        if (value === '' && !quoted && i + 1 < tokens.length) {
          // 标题= 值: the value is the next token, quoted or not
          const next = tokens[++i]!;
          value = next.text;
          quoted = next.quotedFrom < next.text.length;
        }
        const error = set(field, value);
        if (error) return { ok: false, error };
        continuing = quoted ? null : field;
      } else if (kv && (kv.sep === '=' || kv.sep === '＝')) {
        return { ok: false, error: `没有字段「${kv.key}」。可用字段：${declared.join('、') || '无'}` };
      } else if (continuing) {
        values[continuing] += ` ${token.text}`;
      } else {
        positional.push(token.text);
      }
    }
    continuing = null;
  }

  if (positional.length > 0) {
    if (args.length === 0) return { ok: false, error: `多余的内容「${positional.join(' ')}」：此命令的字段要写成 键=值` };
    const head = positional.slice(0, args.length - 1);
    const tail = positional.slice(args.length - 1);
    const assigned = tail.length > 0 ? [...head, tail.join(' ')] : head;
    for (let i = 0; i < assigned.length; i++) {
      const error = set(args[i]!, assigned[i]!);
      if (error) return { ok: false, error };
    }
  }
  return { ok: true, values };
}
