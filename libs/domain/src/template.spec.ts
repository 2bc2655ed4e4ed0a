import { DomainError, DomainErrorCode } from './errors';
import { parseFormattedText } from './formatting';
import { MAX_MESSAGE_LENGTH, validateText } from './scheduled-message';
import {
  hasTemplateVariables,
  renderTemplate,
  templateValuesOf,
  validateTemplateVariables,
} from './template';

const ann = templateValuesOf({
  userId: '0b5f8a1e-0000-4000-8000-000000000001',
  chatName: 'ann_b',
  firstName: 'Ann',
  lastName: 'Lee',
  username: 'ann_b',
});

const codeOf = (check: () => void): string | undefined => {
  try {
    check();
    return undefined;
  } catch (error) {
    return error instanceof DomainError ? error.code : 'not a DomainError';
  }
};

describe('templates', () => {
  it('fills in each variable for the recipient, spaces inside the braces allowed', () => {
    expect(
      renderTemplate(
        'Hi {{first_name}} {{ last_name }} (@{{username}}, {{user_id}})',
        'plain',
        ann,
      ),
    ).toBe('Hi Ann Lee (@ann_b, 0b5f8a1e-0000-4000-8000-000000000001)');
  });

  it('gives a chat subscribed without names its chat name as first name', () => {
    const values = templateValuesOf({
      userId: 'u',
      chatName: 'Ops team',
      firstName: null,
      lastName: null,
      username: null,
    });
    expect(renderTemplate('{{first_name}}|{{last_name}}|{{chat_name}}', 'plain', values)).toBe(
      'Ops team||Ops team',
    );
  });

  it('escapes values for the parse mode, so a name never breaks or adds markup', () => {
    const tricky = { ...ann, first_name: '<b>A&B "x"</b>', last_name: '*_[x](y)_*.!' };
    const html = renderTemplate('<i>{{first_name}}</i>', 'HTML', tricky);
    expect(parseFormattedText(html, 'HTML')).toEqual({
      ok: true,
      formatted: {
        text: '<b>A&B "x"</b>',
        entities: [{ type: 'italic', offset: 0, length: 14 }],
      },
    });
    const markdown = renderTemplate('*{{last_name}}* and `{{last_name}}`', 'MarkdownV2', tricky);
    expect(parseFormattedText(markdown, 'MarkdownV2')).toEqual({
      ok: true,
      formatted: {
        text: '*_[x](y)_*.! and *_[x](y)_*.!',
        entities: [
          { type: 'bold', offset: 0, length: 12 },
          { type: 'code', offset: 17, length: 12 },
        ],
      },
    });
    // Inside an attribute in single quotes, too.
    const link = renderTemplate("<a href='https://e.com/?n={{first_name}}'>x</a>", 'HTML', {
      ...ann,
      first_name: "O'Brien",
    });
    expect(parseFormattedText(link, 'HTML')).toMatchObject({
      ok: true,
      formatted: { entities: [{ type: 'text_link', url: "https://e.com/?n=O'Brien" }] },
    });
    // Plain text is shown as written: nothing to escape.
    expect(renderTemplate('{{first_name}}', 'plain', tricky)).toBe('<b>A&B "x"</b>');
  });

  it('refuses an unknown variable in a formatted text, and shows it as written in a plain one', () => {
    expect(codeOf(() => validateTemplateVariables('Hi {{firstname}}', 'HTML'))).toBe(
      DomainErrorCode.UnknownTemplateVariable,
    );
    expect(codeOf(() => validateTemplateVariables('Hi {{firstname}}', 'plain'))).toBeUndefined();
    expect(renderTemplate('Hi {{firstname}}', 'plain', ann)).toBe('Hi {{firstname}}');
    expect(hasTemplateVariables('Hi {{firstname}}')).toBe(false);
    expect(hasTemplateVariables('Hi {{ first_name }}')).toBe(true);
  });

  it('checks a text with variables for every recipient it can have', () => {
    // Braces are MarkdownV2 markup, but a variable is not: it is filled in before Telegram reads it.
    expect(codeOf(() => validateText('Hi *{{first_name}}*\\!', 'MarkdownV2'))).toBeUndefined();
    // A problem's offset is in the text as written, variables and all.
    try {
      validateText('{{first_name}} <b>x</i>', 'HTML');
      throw new Error('accepted');
    } catch (error) {
      expect((error as DomainError).details).toMatchObject({ offset: 19 });
    }
    // Empty for a recipient without a last name.
    expect(codeOf(() => validateText('<b>{{last_name}}</b>', 'HTML'))).toBe(
      DomainErrorCode.MissingMessage,
    );
    // Too long for a recipient with the longest name (256 characters).
    const near = 'x'.repeat(MAX_MESSAGE_LENGTH - 100);
    expect(codeOf(() => validateText(`${near} {{first_name}}`, 'plain'))).toBe(
      DomainErrorCode.MessageTooLong,
    );
    expect(codeOf(() => validateText(`${near} {{username}}`, 'plain'))).toBeUndefined();
  });
});
