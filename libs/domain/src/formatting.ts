/**
 * Telegram's formatting of a message's text (`parse_mode`), read by the rules Telegram applies
 * to it, so that a text Telegram would refuse is refused when the message is accepted, with the
 * place and the problem, rather than failing at send time. The result is what a chat shows: the
 * text without its markup, and the entities (bold, links, code...) at offsets counted in UTF-16
 * code units, as the Bot API counts them. Offsets in problems are into the text as written,
 * counted the same way, from 0.
 */

/** How the text is read: as it is (the seed's, and Telegram's default), HTML, or MarkdownV2. */
export type ParseMode = 'plain' | 'HTML' | 'MarkdownV2';

export const PARSE_MODES: readonly ParseMode[] = ['plain', 'HTML', 'MarkdownV2'];

export type EntityType =
  | 'bold'
  | 'italic'
  | 'underline'
  | 'strikethrough'
  | 'spoiler'
  | 'code'
  | 'pre'
  | 'text_link'
  | 'text_mention'
  | 'custom_emoji'
  | 'blockquote'
  | 'expandable_blockquote';

/** A MessageEntity of the Bot API, as a parsed text carries it. */
export interface TextEntity {
  readonly type: EntityType;
  readonly offset: number;
  readonly length: number;
  /** text_link: the link. */
  readonly url?: string;
  /** pre: the programming language, when given. */
  readonly language?: string;
  /** text_mention: the user linked by tg://user?id=. */
  readonly userId?: number;
  /** custom_emoji: its id. */
  readonly customEmojiId?: string;
}

/** What a chat shows: the text without markup, and its entities by offset. */
export interface FormattedText {
  readonly text: string;
  readonly entities: readonly TextEntity[];
}

/** Where and why Telegram would refuse the text ("can't parse entities"). */
export interface FormattingProblem {
  /** Offset into the text as written (UTF-16 code units, from 0). */
  readonly offset: number;
  readonly problem: string;
}

export type FormattingResult =
  | { readonly ok: true; readonly formatted: FormattedText }
  | { readonly ok: false; readonly error: FormattingProblem };

/** Reads a text in a parse mode: what the chat would show, or why Telegram would refuse it. */
export function parseFormattedText(source: string, mode: ParseMode): FormattingResult {
  try {
    switch (mode) {
      case 'plain':
        return { ok: true, formatted: { text: source, entities: [] } };
      case 'HTML':
        return { ok: true, formatted: new HtmlReader(source).read() };
      case 'MarkdownV2':
        return { ok: true, formatted: new MarkdownV2Reader(source).read() };
    }
  } catch (error) {
    if (error instanceof Unparsable) return { ok: false, error: error.problem };
    throw error;
  }
}

class Unparsable extends Error {
  constructor(readonly problem: FormattingProblem) {
    super(problem.problem);
  }
}

const fail = (offset: number, problem: string): never => {
  throw new Unparsable({ offset, problem });
};

const sortedByOffset = (entities: TextEntity[]): TextEntity[] =>
  entities.sort((a, b) => a.offset - b.offset || b.length - a.length);

/** A link as an entity: a user mention for tg://user?id=, else a link; none for an empty one. */
function linkEntity(offset: number, length: number, url: string): TextEntity | undefined {
  const mention = /^tg:(?:\/\/)?user\?id=(\d{1,19})$/i.exec(url);
  if (mention) return { type: 'text_mention', offset, length, userId: Number(mention[1]) };
  return url === '' ? undefined : { type: 'text_link', offset, length, url };
}

const isSpace = (character: string | undefined): boolean =>
  character === ' ' ||
  character === '\t' ||
  character === '\n' ||
  character === '\r' ||
  character === '\f' ||
  character === '\v';

// ----- HTML -----

/** The tags Telegram reads; every other is refused. */
const HTML_TAGS = new Set([
  'a',
  'b',
  'strong',
  'i',
  'em',
  'u',
  'ins',
  's',
  'strike',
  'del',
  'span',
  'tg-spoiler',
  'tg-emoji',
  'code',
  'pre',
  'blockquote',
]);

/** The only named character references Telegram decodes; numeric ones are all decoded. */
const NAMED_REFERENCES: Readonly<Record<string, string>> = {
  lt: '<',
  gt: '>',
  amp: '&',
  quot: '"',
};

interface OpenTag {
  readonly name: string;
  /** href of a, language of code, class of span, emoji-id of tg-emoji, expandable of blockquote. */
  readonly argument: string;
  /** Where the tag began in the source. */
  readonly at: number;
  /** Where its content begins in the text shown. */
  readonly start: number;
}

class HtmlReader {
  private position = 0;
  private shown = '';
  private readonly open: OpenTag[] = [];
  private readonly entities: TextEntity[] = [];

  constructor(private readonly source: string) {}

  read(): FormattedText {
    const source = this.source;
    while (this.position < source.length) {
      const character = source[this.position];
      if (character === '&') {
        const reference = this.characterReference(this.position);
        if (reference) {
          this.shown += reference.text;
          this.position = reference.end;
        } else {
          this.shown += '&';
          this.position++;
        }
      } else if (character === '<') {
        if (source[this.position + 1] === '/') this.endTag();
        else this.startTag();
      } else {
        this.shown += character;
        this.position++;
      }
    }
    const unclosed = this.open.at(-1);
    if (unclosed) {
      fail(unclosed.at, `can't find the end tag of the start tag "${unclosed.name}"`);
    }
    return { text: this.shown, entities: sortedByOffset(this.entities) };
  }

  /** `&lt;`, `&gt;`, `&amp;`, `&quot;`, `&#N;`, `&#xH;` (the `;` may be left out). */
  private characterReference(at: number): { text: string; end: number } | undefined {
    const rest = this.source.slice(at + 1, at + 12);
    const numeric = /^#(?:x([0-9a-fA-F]{1,6})|(\d{1,7}));?/.exec(rest);
    if (numeric) {
      const code = numeric[1] !== undefined ? parseInt(numeric[1], 16) : Number(numeric[2]);
      if (code === 0 || code > 0x10ffff) return undefined;
      if (code >= 0xd800 && code <= 0xdfff) {
        fail(at, 'a character reference to half of a surrogate pair is no character');
      }
      return { text: String.fromCodePoint(code), end: at + 1 + numeric[0].length };
    }
    const named = /^([a-z]+);?/i.exec(rest);
    const text = named ? NAMED_REFERENCES[named[1]!] : undefined;
    return named && text !== undefined ? { text, end: at + 1 + named[0].length } : undefined;
  }

  private startTag(): void {
    const source = this.source;
    const at = this.position;
    let position = at + 1;
    while (position < source.length && !isSpace(source[position]) && source[position] !== '>') {
      position++;
    }
    if (position >= source.length) fail(at, 'unclosed start tag');
    const name = source.slice(at + 1, position).toLowerCase();
    if (!HTML_TAGS.has(name)) fail(at, `unsupported start tag "${name}"`);
    let argument = '';
    for (;;) {
      while (position < source.length && isSpace(source[position])) position++;
      if (position >= source.length) fail(at, `unclosed start tag "${name}"`);
      if (source[position] === '>') break;
      const nameStart = position;
      while (
        position < source.length &&
        !isSpace(source[position]) &&
        !`=>/"'`.includes(source[position]!)
      ) {
        position++;
      }
      const attribute = source.slice(nameStart, position).toLowerCase();
      if (attribute === '') fail(at, `empty attribute name in the tag "${name}"`);
      while (position < source.length && isSpace(source[position])) position++;
      if (position >= source.length) fail(at, `unclosed start tag "${name}"`);
      if (source[position] !== '=') {
        if (name === 'blockquote' && attribute === 'expandable') argument = 'expandable';
        continue;
      }
      position++;
      while (position < source.length && isSpace(source[position])) position++;
      if (position >= source.length) fail(at, `unclosed start tag "${name}"`);
      let value: string;
      const quote = source[position];
      if (quote === '"' || quote === "'") {
        position++;
        value = '';
        while (position < source.length && source[position] !== quote) {
          const reference =
            source[position] === '&' ? this.characterReference(position) : undefined;
          if (reference) {
            value += reference.text;
            position = reference.end;
          } else {
            value += source[position];
            position++;
          }
        }
        if (position >= source.length) fail(at, `unclosed start tag "${name}"`);
        position++;
      } else {
        // A name token: letters, digits, periods and hyphens.
        const tokenStart = position;
        while (position < source.length && /[A-Za-z0-9.-]/.test(source[position]!)) position++;
        value = source.slice(tokenStart, position).toLowerCase();
        if (position < source.length && !isSpace(source[position]) && source[position] !== '>') {
          fail(tokenStart, 'unexpected end of name token (quote the attribute value)');
        }
      }
      if (name === 'a' && attribute === 'href') argument = value;
      else if (name === 'code' && attribute === 'class' && value.startsWith('language-')) {
        argument = value.slice('language-'.length);
      } else if (name === 'span' && attribute === 'class' && value.startsWith('tg-')) {
        argument = value.slice('tg-'.length);
      } else if (name === 'tg-emoji' && attribute === 'emoji-id') argument = value;
      else if (name === 'blockquote' && attribute === 'expandable') argument = 'expandable';
    }
    if (name === 'span' && argument !== 'spoiler') {
      fail(at, 'the tag "span" must have the class "tg-spoiler"');
    }
    this.open.push({ name, argument, at, start: this.shown.length });
    this.position = position + 1;
  }

  private endTag(): void {
    const source = this.source;
    const at = this.position;
    const tag = this.open.pop();
    if (!tag) fail(at, 'unexpected end tag: no tag is open');
    let position = at + 2;
    while (position < source.length && !isSpace(source[position]) && source[position] !== '>') {
      position++;
    }
    const name = source.slice(at + 2, position).toLowerCase();
    while (position < source.length && isSpace(source[position])) position++;
    if (source[position] !== '>') fail(at, 'unclosed end tag');
    const openTag = tag as OpenTag;
    if (name !== '' && name !== openTag.name) {
      fail(at, `unmatched end tag: expected "</${openTag.name}>", found "</${name}>"`);
    }
    this.position = position + 1;
    this.close(openTag);
  }

  private close(tag: OpenTag): void {
    const offset = tag.start;
    const length = this.shown.length - offset;
    if (length === 0) return;
    const entity = (type: EntityType): void => {
      this.entities.push({ type, offset, length });
    };
    switch (tag.name) {
      case 'b':
      case 'strong':
        return entity('bold');
      case 'i':
      case 'em':
        return entity('italic');
      case 'u':
      case 'ins':
        return entity('underline');
      case 's':
      case 'strike':
      case 'del':
        return entity('strikethrough');
      case 'span':
      case 'tg-spoiler':
        return entity('spoiler');
      case 'blockquote':
        return entity(tag.argument === 'expandable' ? 'expandable_blockquote' : 'blockquote');
      case 'tg-emoji': {
        if (!/^[1-9]\d{0,18}$/.test(tag.argument)) {
          fail(tag.at, 'the tag "tg-emoji" needs a custom emoji identifier (emoji-id)');
        }
        this.entities.push({ type: 'custom_emoji', offset, length, customEmojiId: tag.argument });
        return;
      }
      case 'a': {
        const link = linkEntity(offset, length, tag.argument || this.shown.slice(offset));
        if (link) this.entities.push(link);
        return;
      }
      case 'code':
        // A language is kept only for code inside pre, where it becomes pre's.
        this.entities.push({
          type: 'code',
          offset,
          length,
          ...(tag.argument ? { language: tag.argument } : {}),
        });
        return;
      case 'pre': {
        const last = this.entities.at(-1);
        const inner =
          last?.type === 'code' && last.offset === offset && last.length === length
            ? this.entities.pop()
            : undefined;
        this.entities.push({
          type: 'pre',
          offset,
          length,
          ...(inner?.language ? { language: inner.language } : {}),
        });
        return;
      }
      default:
        return fail(tag.at, `unsupported start tag "${tag.name}"`);
    }
  }
}

// ----- MarkdownV2 -----

/** Characters that are markup outside code and must be escaped with `\` to be shown. */
const MARKDOWN_RESERVED = new Set('_*[]()~`>#+-=|{}.!');

type MarkdownEntity =
  | 'bold'
  | 'italic'
  | 'underline'
  | 'strikethrough'
  | 'spoiler'
  | 'code'
  | 'pre'
  | 'text_link'
  | 'custom_emoji';

/** What opens each entity, for problems. */
const MARKDOWN_OPENERS: Readonly<Record<MarkdownEntity, string>> = {
  bold: '*',
  italic: '_',
  underline: '__',
  strikethrough: '~',
  spoiler: '||',
  code: '`',
  pre: '```',
  text_link: '[',
  custom_emoji: '![',
};

interface OpenEntity {
  readonly type: MarkdownEntity;
  readonly at: number;
  readonly start: number;
  readonly language?: string;
}

class MarkdownV2Reader {
  private position = 0;
  private shown = '';
  private readonly open: OpenEntity[] = [];
  private readonly entities: TextEntity[] = [];
  /** An open block quotation, and how many entities were open when it began. */
  private quote: { at: number; start: number; expandable: boolean; depth: number } | undefined;

  constructor(private readonly source: string) {}

  read(): FormattedText {
    const source = this.source;
    while (this.position < source.length) {
      const at = this.position;
      const character = source[at]!;
      const next = source[at + 1];
      // Any character from 1 to 126 may be escaped anywhere: it is then shown as it is.
      if (
        character === '\\' &&
        next !== undefined &&
        next.charCodeAt(0) >= 1 &&
        next.charCodeAt(0) <= 126
      ) {
        this.shown += next;
        this.position += 2;
        continue;
      }
      const top = this.open.at(-1);
      const inCode = top?.type === 'code' || top?.type === 'pre';
      if (character === '\n' && !inCode) {
        this.newLine();
        continue;
      }
      if (inCode ? character !== '`' : !MARKDOWN_RESERVED.has(character)) {
        this.shown += character;
        this.position++;
        continue;
      }
      if (top && this.endsHere(top.type)) this.end(top);
      else this.begin();
    }
    const unclosed = this.open.at(-1);
    if (unclosed) {
      fail(
        unclosed.at,
        `can't find the end of the ${unclosed.type} entity opened by "${MARKDOWN_OPENERS[unclosed.type]}"`,
      );
    }
    this.endQuote();
    return { text: this.shown, entities: sortedByOffset(this.entities) };
  }

  private atLineStart(at: number): boolean {
    return at === 0 || this.source[at - 1] === '\n';
  }

  /** A line break ends a block quotation unless the next line goes on with `>`. */
  private newLine(): void {
    if (this.quote && this.source[this.position + 1] !== '>') this.endQuote();
    this.shown += '\n';
    this.position++;
  }

  private endQuote(): void {
    const quote = this.quote;
    if (!quote) return;
    // An entity opened inside the quotation ends inside it, as Telegram reads it.
    const inside = this.open[quote.depth];
    if (inside) {
      fail(
        inside.at,
        `can't find the end of the ${inside.type} entity opened by "${MARKDOWN_OPENERS[inside.type]}"`,
      );
    }
    this.quote = undefined;
    const length = this.shown.length - quote.start;
    if (length > 0) {
      this.entities.push({
        type: quote.expandable ? 'expandable_blockquote' : 'blockquote',
        offset: quote.start,
        length,
      });
    }
  }

  private endsHere(type: MarkdownEntity): boolean {
    const source = this.source;
    const at = this.position;
    const character = source[at];
    switch (type) {
      case 'bold':
        return character === '*';
      case 'italic':
        return character === '_' && source[at + 1] !== '_';
      case 'underline':
        return character === '_' && source[at + 1] === '_';
      case 'strikethrough':
        return character === '~';
      case 'spoiler':
        return character === '|' && source[at + 1] === '|';
      case 'code':
        return character === '`';
      case 'pre':
        return source.startsWith('```', at);
      case 'text_link':
      case 'custom_emoji':
        return character === ']';
    }
  }

  private begin(): void {
    const source = this.source;
    const at = this.position;
    const character = source[at]!;
    const start = this.shown.length;
    const reserved = (): never =>
      fail(
        at,
        `the character "${character}" is reserved and must be escaped with a preceding "\\"`,
      );
    const open = (type: MarkdownEntity, width: number): void => {
      this.open.push({ type, at, start });
      this.position = at + width;
    };
    switch (character) {
      case '*':
        // `**>` at the start of a line: an empty bold (a separator from a quotation just before)
        // and a block quotation; `||` at its end makes it expandable.
        if (this.atLineStart(at) && source.startsWith('**>', at) && !this.quote) {
          this.quote = { at, start, expandable: false, depth: this.open.length };
          this.position = at + 3;
          return;
        }
        return open('bold', 1);
      case '_':
        return source[at + 1] === '_' ? open('underline', 2) : open('italic', 1);
      case '~':
        return open('strikethrough', 1);
      case '|':
        if (source[at + 1] !== '|') return reserved();
        // `||` closing the last line of a block quotation makes it expandable.
        if (this.quote && (at + 2 === source.length || source[at + 2] === '\n')) {
          this.quote.expandable = true;
          this.position = at + 2;
          return;
        }
        return open('spoiler', 2);
      case '[':
        return open('text_link', 1);
      case '!':
        return source[at + 1] === '[' ? open('custom_emoji', 2) : reserved();
      case '>':
        if (!this.atLineStart(at)) return reserved();
        if (!this.quote) this.quote = { at, start, expandable: false, depth: this.open.length };
        this.position = at + 1;
        return;
      case '`':
        if (source.startsWith('```', at)) return this.beginPre();
        return open('code', 1);
      default:
        return reserved();
    }
  }

  /** ```` ```language ```` then a line break: a code block, its language given or not. */
  private beginPre(): void {
    const source = this.source;
    const at = this.position;
    let position = at + 3;
    let languageEnd = position;
    while (
      languageEnd < source.length &&
      !isSpace(source[languageEnd]) &&
      source[languageEnd] !== '`'
    ) {
      languageEnd++;
    }
    let language: string | undefined;
    if (languageEnd > position && languageEnd < source.length && source[languageEnd] !== '`') {
      language = source.slice(position, languageEnd);
      position = languageEnd;
    }
    // One line break right after the opening is not part of the code.
    if (source[position] === '\r' && source[position + 1] === '\n') position += 2;
    else if (source[position] === '\n' && source[position + 1] === '\r') position += 2;
    else if (source[position] === '\n' || source[position] === '\r') position++;
    this.open.push({
      type: 'pre',
      at,
      start: this.shown.length,
      ...(language ? { language } : {}),
    });
    this.position = position;
  }

  private end(entity: OpenEntity): void {
    this.open.pop();
    const source = this.source;
    const offset = entity.start;
    const length = this.shown.length - offset;
    let position = this.position;
    let produced: TextEntity | undefined;
    switch (entity.type) {
      case 'bold':
      case 'italic':
      case 'strikethrough':
      case 'code':
        position += 1;
        produced = { type: entity.type, offset, length };
        break;
      case 'underline':
      case 'spoiler':
        position += 2;
        produced = { type: entity.type, offset, length };
        break;
      case 'pre':
        position += 3;
        produced = {
          type: 'pre',
          offset,
          length,
          ...(entity.language ? { language: entity.language } : {}),
        };
        break;
      case 'text_link':
      case 'custom_emoji': {
        let url: string;
        if (source[position + 1] === '(') {
          const urlStart = position + 2;
          position = urlStart;
          url = '';
          while (position < source.length && source[position] !== ')') {
            const escaped = source[position + 1];
            if (
              source[position] === '\\' &&
              escaped !== undefined &&
              escaped.charCodeAt(0) >= 1 &&
              escaped.charCodeAt(0) <= 126
            ) {
              url += escaped;
              position += 2;
            } else {
              url += source[position];
              position++;
            }
          }
          if (position >= source.length) fail(urlStart, "can't find the end of the URL");
          position += 1;
        } else {
          if (entity.type === 'custom_emoji') {
            fail(entity.at, 'a custom emoji needs its tg://emoji?id= URL');
          }
          url = this.shown.slice(offset);
          position += 1;
        }
        if (entity.type === 'custom_emoji') {
          const id = /^tg:\/\/emoji\?id=([1-9]\d{0,18})$/.exec(url);
          if (!id) fail(entity.at, 'a custom emoji needs its tg://emoji?id= URL');
          produced = {
            type: 'custom_emoji',
            offset,
            length,
            customEmojiId: (id as RegExpExecArray)[1]!,
          };
        } else {
          produced = linkEntity(offset, length, url);
        }
        break;
      }
    }
    this.position = position;
    if (length > 0 && produced) this.entities.push(produced);
  }
}
