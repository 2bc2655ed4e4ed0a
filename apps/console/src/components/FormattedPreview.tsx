import type { ReactNode } from 'react';

/** The tags Telegram's HTML parse mode knows, and what each is shown as here. */
const TAGS: Readonly<Record<string, string>> = {
  b: 'strong',
  strong: 'strong',
  i: 'em',
  em: 'em',
  u: 'u',
  ins: 'u',
  s: 's',
  strike: 's',
  del: 's',
  code: 'code',
  pre: 'pre',
  blockquote: 'blockquote',
  'tg-spoiler': 'mark',
};

/**
 * The text as Telegram would format it in HTML mode, built as React elements from an allowlist
 * of Telegram's tags: anything else (a script, an attribute) is shown as its text only, never
 * given to the page as HTML.
 */
export function FormattedPreview({ text, parseMode }: { text: string; parseMode: string }) {
  if (parseMode !== 'HTML') return <p className="preview plain">{text}</p>;
  const body = new DOMParser().parseFromString(`<body>${text}</body>`, 'text/html').body;
  return (
    <p className="preview">{Array.from(body.childNodes, (node, index) => render(node, index))}</p>
  );
}

function render(node: ChildNode, key: number): ReactNode {
  if (node.nodeType === Node.TEXT_NODE) return node.textContent;
  if (node.nodeType !== Node.ELEMENT_NODE) return null;
  const element = node as Element;
  const children = Array.from(element.childNodes, (child, index) => render(child, index));
  const name = element.tagName.toLowerCase();
  if (name === 'a') {
    const href = element.getAttribute('href') ?? '';
    const safe = /^(https?:|tg:|mailto:)/i.test(href);
    return safe ? (
      <a key={key} href={href} target="_blank" rel="noreferrer noopener">
        {children}
      </a>
    ) : (
      <span key={key}>{children}</span>
    );
  }
  if (name === 'span' && element.classList.contains('tg-spoiler')) {
    return <mark key={key}>{children}</mark>;
  }
  const tag = TAGS[name];
  if (!tag) return <span key={key}>{element.textContent}</span>;
  const Shown = tag as 'strong';
  return <Shown key={key}>{children}</Shown>;
}
