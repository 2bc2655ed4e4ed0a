import { decideContentType } from './content-type';

const PDF = Buffer.from('%PDF-1.7\n%âãÏÓ\n1 0 obj');
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
const ZIP = Buffer.from([0x50, 0x4b, 0x03, 0x04, 20, 0, 0, 0]);
const TEXT = Buffer.from('Meeting notes: bring the slides. Ünïcödé too.\n');
const BINARY = Buffer.from([0x00, 0x13, 0x37, 0xde, 0xad, 0xbe, 0xef, 0x00]);

describe('decideContentType', () => {
  it.each([
    ['a PDF the client calls a PDF', 'application/pdf', PDF, 'application/pdf'],
    ['a PDF sent as octet-stream', 'application/octet-stream', PDF, 'application/pdf'],
    ['a PNG with no type', '', PNG, 'image/png'],
    [
      'a zip the client calls a Word document',
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      ZIP,
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    ],
    ['text the client calls CSV', 'text/csv; charset=utf-8', TEXT, 'text/csv'],
    ['text sent as octet-stream', 'application/octet-stream', TEXT, 'text/plain'],
    ['text under an unknown type', 'application/x-whatever', TEXT, 'text/plain'],
    [
      'unknown bytes under an unknown type',
      'application/x-whatever',
      BINARY,
      'application/octet-stream',
    ],
  ])('decides %s', (_name, declared, head, contentType) => {
    expect(decideContentType(declared, head)).toEqual({ ok: true, contentType });
  });

  it.each([
    ['a PDF the client calls a PNG', 'image/png', PDF, 'application/pdf'],
    ['text the client calls a PDF', 'application/pdf', TEXT, 'text/plain'],
    ['a PNG the client calls text', 'text/plain', PNG, 'image/png'],
    ['binary the client calls text', 'text/plain', BINARY, 'application/octet-stream'],
    ['binary the client calls a JPEG', 'image/jpeg', BINARY, 'application/octet-stream'],
  ])('refuses %s', (_name, declared, head, detected) => {
    expect(decideContentType(declared, head)).toEqual({ ok: false, detected });
  });
});
