import { DomainError, DomainErrorCode } from './errors';
import type { ParseMode } from './formatting';

/**
 * A message's text may name fields of its recipient (`{{first_name}}`), filled in for each
 * recipient when it is sent, escaped for the text's parse mode so that a name never breaks (or
 * adds) markup.
 */
export const TEMPLATE_VARIABLES = [
  'first_name',
  'last_name',
  'username',
  'chat_name',
  'user_id',
] as const;

export type TemplateVariable = (typeof TEMPLATE_VARIABLES)[number];

/** One recipient's values of the variables. */
export type TemplateValues = Readonly<Record<TemplateVariable, string>>;

/** What a recipient's values are made of: the subscriber as recorded. */
export interface TemplateSubject {
  readonly userId: string;
  readonly chatName: string;
  readonly firstName: string | null;
  readonly lastName: string | null;
  readonly username: string | null;
}

/**
 * A subscriber's values. Telegram gives a user's names and username when they press /start; a
 * chat subscribed otherwise (the API's `chat_name`) has its chat name as its first name.
 */
export function templateValuesOf(subject: TemplateSubject): TemplateValues {
  return {
    first_name: subject.firstName ?? subject.chatName,
    last_name: subject.lastName ?? '',
    username: subject.username ?? '',
    chat_name: subject.chatName,
    user_id: subject.userId,
  };
}

/**
 * The shortest and the longest each value can be (Telegram's limits: a first name 1 to 64
 * characters, a last name up to 64, a username up to 32; ours for chat names; a user id is a
 * UUID), so that a text checked with both is within Telegram's limits for everyone.
 */
const VALUE_LENGTHS: Readonly<Record<TemplateVariable, { min: number; max: number }>> = {
  first_name: { min: 1, max: 256 },
  last_name: { min: 0, max: 64 },
  username: { min: 0, max: 32 },
  chat_name: { min: 1, max: 256 },
  user_id: { min: 36, max: 36 },
};

/** `{{ name }}`: a variable where it is written (spaces inside the braces allowed). */
const VARIABLE = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

const isVariable = (name: string): name is TemplateVariable =>
  (TEMPLATE_VARIABLES as readonly string[]).includes(name);

/** Whether the text names any variable, so that a text without one is sent as it is. */
export function hasTemplateVariables(text: string): boolean {
  return [...text.matchAll(VARIABLE)].some((match) => isVariable(match[1]!));
}

/**
 * Refuses a variable the system does not know in a formatted text (HTML, MarkdownV2). A plain
 * text shows one as written: the seed's clients send plain texts, and `{{…}}` in them was always
 * just text.
 */
export function validateTemplateVariables(text: string, parseMode: ParseMode): void {
  if (parseMode === 'plain') return;
  for (const match of text.matchAll(VARIABLE)) {
    const name = match[1]!;
    if (!isVariable(name)) {
      throw new DomainError(
        DomainErrorCode.UnknownTemplateVariable,
        `message: {{${name}}} at offset ${match.index} is no variable; the variables are ${TEMPLATE_VARIABLES.map((known) => `{{${known}}}`).join(', ')}`,
        { field: 'message', variable: name, offset: match.index },
      );
    }
  }
}

/** The text as one subscriber gets it: as it is without variables, else filled in with theirs. */
export function textFor(text: string, parseMode: ParseMode, subject: TemplateSubject): string {
  return hasTemplateVariables(text)
    ? renderTemplate(text, parseMode, templateValuesOf(subject))
    : text;
}

/** The text for one recipient: each variable replaced by the value, escaped for the parse mode. */
export function renderTemplate(text: string, parseMode: ParseMode, values: TemplateValues): string {
  return text.replace(VARIABLE, (written, name: string) =>
    isVariable(name) ? escapeFor(parseMode, values[name]) : written,
  );
}

/** The text with every variable at its shortest, or at its longest (values needing no escape). */
export function renderExtreme(text: string, parseMode: ParseMode, extreme: 'min' | 'max'): string {
  return renderTemplate(text, parseMode, {
    first_name: 'W'.repeat(VALUE_LENGTHS.first_name[extreme]),
    last_name: 'W'.repeat(VALUE_LENGTHS.last_name[extreme]),
    username: 'W'.repeat(VALUE_LENGTHS.username[extreme]),
    chat_name: 'W'.repeat(VALUE_LENGTHS.chat_name[extreme]),
    user_id: 'W'.repeat(VALUE_LENGTHS.user_id[extreme]),
  });
}

/**
 * The text with each variable as a run of as many letters as it is written with: the markup is
 * where it was, so a problem's offset is the same in the text as written.
 */
export function renderInPlace(text: string): string {
  return text.replace(VARIABLE, (written, name: string) =>
    isVariable(name) ? 'W'.repeat(written.length) : written,
  );
}

/** Markup characters of the mode escaped: HTML's `& < > " '`, MarkdownV2's reserved ones and `\`. */
function escapeFor(parseMode: ParseMode, value: string): string {
  switch (parseMode) {
    case 'plain':
      return value;
    case 'HTML':
      return value
        .replace(/&/g, '&amp;')
        .replace(/</g, '&lt;')
        .replace(/>/g, '&gt;')
        .replace(/"/g, '&quot;')
        .replace(/'/g, '&#39;');
    case 'MarkdownV2':
      return value.replace(/[_*[\]()~`>#+\-=|{}.!\\]/g, (character) => `\\${character}`);
  }
}
