/**
 * A small, bounded XML reader for what UPnP routers send (device descriptions and SOAP replies). Routers are
 * untrusted: the input is capped in size, element count and depth, and any DTD (`<!DOCTYPE`, `<!ENTITY`) is refused
 * outright, so entity expansion cannot happen. Only the five predefined entities and numeric character references
 * are decoded. Namespace prefixes are dropped (UPnP documents use them inconsistently). Pure: no I/O.
 */

export const XML_LIMITS = { maxChars: 128 * 1024, maxElements: 4096, maxDepth: 32 } as const;

export class XmlError extends Error {
  override name = 'XmlError';
}

/** One element: its local name (prefix dropped), its children and its own text (trimmed, entities decoded). */
export interface XmlElement {
  readonly name: string;
  readonly children: XmlElement[];
  text: string;
}

const NAME = /^[A-Za-z_][\w.:-]*/;

function localName(qname: string): string {
  const colon = qname.lastIndexOf(':');
  return colon < 0 ? qname : qname.slice(colon + 1);
}

function decodeText(raw: string): string {
  if (!raw.includes('&')) return raw;
  return raw.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|lt|gt|amp|quot|apos);/g, (_, ref: string) => {
    if (ref === 'lt') return '<';
    if (ref === 'gt') return '>';
    if (ref === 'amp') return '&';
    if (ref === 'quot') return '"';
    if (ref === 'apos') return "'";
    const code = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '';
  });
}

/** Parses a whole document into its root element; throws XmlError on anything malformed or over a limit. */
export function parseXml(input: string, limits: { maxChars?: number } = {}): XmlElement {
  const maxChars = limits.maxChars ?? XML_LIMITS.maxChars;
  if (input.length > maxChars) throw new XmlError(`XML document of ${input.length} characters exceeds the ${maxChars}-character limit`);
  const root: XmlElement = { name: '#document', children: [], text: '' };
  const stack: XmlElement[] = [root];
  let elements = 0;
  let i = 0;
  const n = input.length;
  while (i < n) {
    const lt = input.indexOf('<', i);
    const textEnd = lt < 0 ? n : lt;
    if (textEnd > i) stack[stack.length - 1]!.text += input.slice(i, textEnd);
    if (lt < 0) break;
    if (input.startsWith('<?', lt)) {
      const end = input.indexOf('?>', lt + 2);
      if (end < 0) throw new XmlError('unterminated processing instruction');
      i = end + 2;
    } else if (input.startsWith('<!--', lt)) {
      const end = input.indexOf('-->', lt + 4);
      if (end < 0) throw new XmlError('unterminated comment');
      i = end + 3;
    } else if (input.startsWith('<![CDATA[', lt)) {
      const end = input.indexOf(']]>', lt + 9);
      if (end < 0) throw new XmlError('unterminated CDATA section');
      // CDATA is literal: escape its '&' so decodeText leaves it as it was.
      stack[stack.length - 1]!.text += input.slice(lt + 9, end).replace(/&/g, '&amp;');
      i = end + 3;
    } else if (input.startsWith('<!', lt)) {
      throw new XmlError('document type declarations and entities are not accepted');
    } else if (input[lt + 1] === '/') {
      const end = input.indexOf('>', lt + 2);
      if (end < 0) throw new XmlError('unterminated end tag');
      const name = localName(input.slice(lt + 2, end).trim());
      const open = stack.pop()!;
      if (stack.length === 0 || open.name !== name) throw new XmlError(`mismatched end tag </${name}>`);
      open.text = decodeText(open.text).trim();
      i = end + 1;
    } else {
      const m = NAME.exec(input.slice(lt + 1, lt + 1 + 256));
      if (!m) throw new XmlError('malformed start tag');
      const end = findTagEnd(input, lt + 1 + m[0].length);
      const selfClosing = input[end - 1] === '/';
      if (++elements > XML_LIMITS.maxElements) throw new XmlError(`more than ${XML_LIMITS.maxElements} elements`);
      const el: XmlElement = { name: localName(m[0]), children: [], text: '' };
      stack[stack.length - 1]!.children.push(el);
      if (!selfClosing) {
        stack.push(el);
        if (stack.length > XML_LIMITS.maxDepth + 1) throw new XmlError(`elements nested deeper than ${XML_LIMITS.maxDepth}`);
      }
      i = end + 1;
    }
  }
  if (stack.length !== 1) throw new XmlError(`unclosed element <${stack[stack.length - 1]!.name}>`);
  const top = root.children;
  if (top.length !== 1) throw new XmlError(top.length === 0 ? 'no root element' : 'more than one root element');
  return top[0]!;
}

/** The index of a start tag's closing '>', skipping quoted attribute values. */
function findTagEnd(input: string, from: number): number {
  let quote: string | null = null;
  for (let j = from; j < input.length; j++) {
    const c = input[j];
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '>') return j;
    else if (c === '<') break;
  }
  throw new XmlError('unterminated start tag');
}

/** The first child named `name`, or undefined. */
export function child(el: XmlElement, name: string): XmlElement | undefined {
  return el.children.find((c) => c.name === name);
}

/** Every descendant named `name`, depth first, in document order. */
export function descendants(el: XmlElement, name: string, out: XmlElement[] = []): XmlElement[] {
  for (const c of el.children) {
    if (c.name === name) out.push(c);
    descendants(c, name, out);
  }
  return out;
}
