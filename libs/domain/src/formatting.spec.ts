import { parseFormattedText, type FormattedText, type ParseMode } from './formatting';

const shown = (source: string, mode: ParseMode): FormattedText => {
  const result = parseFormattedText(source, mode);
  if (!result.ok) throw new Error(`refused at ${result.error.offset}: ${result.error.problem}`);
  return result.formatted;
};

const refusal = (source: string, mode: ParseMode): { offset: number; problem: string } => {
  const result = parseFormattedText(source, mode);
  if (result.ok) throw new Error(`accepted as ${JSON.stringify(result.formatted)}`);
  return result.error;
};

describe('plain text', () => {
  it('is shown as written, markup and all', () => {
    expect(shown('<b>*not bold*</b> 1.5', 'plain')).toEqual({
      text: '<b>*not bold*</b> 1.5',
      entities: [],
    });
  });
});

describe('HTML, read as Telegram reads it', () => {
  it('turns tags into entities and drops them from the text', () => {
    expect(
      shown('<b>Bold</b> and <i>italic</i>, <u>u</u> <s>s</s> <tg-spoiler>x</tg-spoiler>', 'HTML'),
    ).toEqual({
      text: 'Bold and italic, u s x',
      entities: [
        { type: 'bold', offset: 0, length: 4 },
        { type: 'italic', offset: 9, length: 6 },
        { type: 'underline', offset: 17, length: 1 },
        { type: 'strikethrough', offset: 19, length: 1 },
        { type: 'spoiler', offset: 21, length: 1 },
      ],
    });
  });

  it('takes the tags Telegram names alike, in any case, nested', () => {
    expect(shown('<STRONG>a<em>b</em></STRONG><span class="tg-spoiler">c</span>', 'HTML')).toEqual({
      text: 'abc',
      entities: [
        { type: 'bold', offset: 0, length: 2 },
        { type: 'italic', offset: 1, length: 1 },
        { type: 'spoiler', offset: 2, length: 1 },
      ],
    });
  });

  it('decodes the four named references and every numeric one; leaves any other & as it is', () => {
    expect(shown('&lt;b&gt; &amp; &quot; &#33; &#x1F600; AT&T &nbsp;', 'HTML').text).toBe(
      '<b> & " ! 😀 AT&T &nbsp;',
    );
  });

  it('decodes a reference without its ;, and reads &#X as text', () => {
    expect(shown('a &amp b &lt; &#X41; &#x41', 'HTML').text).toBe('a & b < &#X41; A');
  });

  it('counts offsets in UTF-16 code units, as the Bot API does', () => {
    expect(shown('😀 <b>x</b>', 'HTML').entities).toEqual([{ type: 'bold', offset: 3, length: 1 }]);
  });

  it('makes links, user mentions, and a link without href of its own text', () => {
    expect(
      shown(
        '<a href="https://example.org/?a=1&amp;b=2">site</a> <a href=\'tg://user?id=42\'>you</a> <a>https://x.org</a>',
        'HTML',
      ).entities,
    ).toEqual([
      { type: 'text_link', offset: 0, length: 4, url: 'https://example.org/?a=1&b=2' },
      { type: 'text_mention', offset: 5, length: 3, userId: 42 },
      { type: 'text_link', offset: 9, length: 13, url: 'https://x.org' },
    ]);
  });

  it('gives a code block its language from the code inside it, and none to code on its own', () => {
    expect(
      shown(
        '<pre><code class="language-ts">let x;</code></pre> <code class="language-js">y</code>',
        'HTML',
      ),
    ).toEqual({
      text: 'let x; y',
      entities: [
        { type: 'pre', offset: 0, length: 6, language: 'ts' },
        { type: 'code', offset: 7, length: 1, language: 'js' },
      ],
    });
    expect(shown('<pre>z</pre>', 'HTML').entities).toEqual([{ type: 'pre', offset: 0, length: 1 }]);
  });

  it('reads block quotations, expandable ones, custom emoji, and skips empty entities', () => {
    expect(
      shown(
        '<blockquote>q</blockquote><blockquote expandable>e</blockquote><tg-emoji emoji-id="5368324170671202286">👍</tg-emoji><b></b>',
        'HTML',
      ).entities,
    ).toEqual([
      { type: 'blockquote', offset: 0, length: 1 },
      { type: 'expandable_blockquote', offset: 1, length: 1 },
      { type: 'custom_emoji', offset: 2, length: 2, customEmojiId: '5368324170671202286' },
    ]);
  });

  it('closes the last open tag with </>, as Telegram does', () => {
    expect(shown('<b>x</>', 'HTML').entities).toEqual([{ type: 'bold', offset: 0, length: 1 }]);
  });

  it.each([
    ['<b>bold</i>', 7, 'unmatched end tag: expected "</b>", found "</i>"'],
    ['ok <b>open', 3, 'can\'t find the end tag of the start tag "b"'],
    ['<div>x</div>', 0, 'unsupported start tag "div"'],
    ['1 < 2', 2, 'unsupported start tag ""'],
    ['x</b>', 1, 'unexpected end tag: no tag is open'],
    ['<b>x</b', 4, 'unclosed end tag'],
    ['text <b', 5, 'unclosed start tag'],
    ['<a href="https://x.org>x</a>', 0, 'unclosed start tag "a"'],
    ['<a href=https://x.org>x</a>', 8, 'unexpected end of name token (quote the attribute value)'],
    ['<span>x</span>', 0, 'the tag "span" must have the class "tg-spoiler"'],
    ['<b =1>x</b>', 0, 'empty attribute name in the tag "b"'],
    ["<a href='https://e.com/?n=O'Brien'>x</a>", 0, 'empty attribute name in the tag "a"'],
    ['x &#xD800; y', 2, 'a character reference to half of a surrogate pair is no character'],
    ['<tg-emoji>x</tg-emoji>', 0, 'the tag "tg-emoji" needs a custom emoji identifier (emoji-id)'],
    ['😀<i>x</b>', 6, 'unmatched end tag: expected "</i>", found "</b>"'],
  ])('refuses %p at offset %p: %s', (source, offset, problem) => {
    expect(refusal(source, 'HTML')).toEqual({ offset, problem });
  });
});

describe('MarkdownV2, read as Telegram reads it', () => {
  it('turns markup into entities', () => {
    expect(shown('*bold* _italic_ __under__ ~strike~ ||spoiler||', 'MarkdownV2')).toEqual({
      text: 'bold italic under strike spoiler',
      entities: [
        { type: 'bold', offset: 0, length: 4 },
        { type: 'italic', offset: 5, length: 6 },
        { type: 'underline', offset: 12, length: 5 },
        { type: 'strikethrough', offset: 18, length: 6 },
        { type: 'spoiler', offset: 25, length: 7 },
      ],
    });
  });

  it('nests entities and shows every escaped character as it is', () => {
    expect(shown('*a _b_ c* 1\\.5 \\- \\\\ \\*', 'MarkdownV2')).toEqual({
      text: 'a b c 1.5 - \\ *',
      entities: [
        { type: 'bold', offset: 0, length: 5 },
        { type: 'italic', offset: 2, length: 1 },
      ],
    });
  });

  it('reads links, their escaped ) and \\, and mentions', () => {
    expect(
      shown('[site](https://x.org/a\\)b) [me](tg://user?id=7) [https://y\\.org]', 'MarkdownV2')
        .entities,
    ).toEqual([
      { type: 'text_link', offset: 0, length: 4, url: 'https://x.org/a)b' },
      { type: 'text_mention', offset: 5, length: 2, userId: 7 },
      { type: 'text_link', offset: 8, length: 13, url: 'https://y.org' },
    ]);
  });

  it('keeps markup characters inside code as they are', () => {
    expect(shown('`a_b*c.d` and ```ts\nconst x = 1;\n```', 'MarkdownV2')).toEqual({
      text: 'a_b*c.d and const x = 1;\n',
      entities: [
        { type: 'code', offset: 0, length: 7 },
        { type: 'pre', offset: 12, length: 13, language: 'ts' },
      ],
    });
  });

  it('reads block quotations line by line, and the expandable mark', () => {
    expect(shown('>quoted\n>more\nafter', 'MarkdownV2')).toEqual({
      text: 'quoted\nmore\nafter',
      entities: [{ type: 'blockquote', offset: 0, length: 11 }],
    });
    expect(shown('**>hidden\n>long||', 'MarkdownV2')).toEqual({
      text: 'hidden\nlong',
      entities: [{ type: 'expandable_blockquote', offset: 0, length: 11 }],
    });
    // Without the closing mark, `**>` is a plain quotation after an empty bold.
    expect(shown('**>plain\n>quote', 'MarkdownV2').entities).toEqual([
      { type: 'blockquote', offset: 0, length: 11 },
    ]);
  });

  it('reads a custom emoji from its tg://emoji URL', () => {
    expect(shown('![👍](tg://emoji?id=5368324170671202286)', 'MarkdownV2').entities).toEqual([
      { type: 'custom_emoji', offset: 0, length: 2, customEmojiId: '5368324170671202286' },
    ]);
  });

  it.each([
    ['Price: 1.5', 8, 'the character "." is reserved and must be escaped with a preceding "\\"'],
    ['Done!', 4, 'the character "!" is reserved and must be escaped with a preceding "\\"'],
    ['a > b', 2, 'the character ">" is reserved and must be escaped with a preceding "\\"'],
    ['x | y', 2, 'the character "|" is reserved and must be escaped with a preceding "\\"'],
    ['ok *bold', 3, 'can\'t find the end of the bold entity opened by "*"'],
    ['_a *b_', 5, 'can\'t find the end of the italic entity opened by "_"'],
    ['```\ncode', 0, 'can\'t find the end of the pre entity opened by "```"'],
    ['[link](https://x.org', 7, "can't find the end of the URL"],
    ['![👍](https://x.org)', 0, 'a custom emoji needs its tg://emoji?id= URL'],
    ['>*important\nnote*', 1, 'can\'t find the end of the bold entity opened by "*"'],
  ])('refuses %p at offset %p: %s', (source, offset, problem) => {
    expect(refusal(source, 'MarkdownV2')).toEqual({ offset, problem });
  });
});
