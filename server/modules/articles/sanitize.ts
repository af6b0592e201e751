import sanitizeHtml from 'sanitize-html';

/**
 * The HTML of an article, sanitised on the way in with sanitize-html (a maintained library, not our own parser):
 * a short list of text tags, links to http(s) and mail only (no `javascript:` or `data:`), no `style`, no event
 * handlers, no SVG, no frames or forms; script and style elements are dropped with their content. Images must show
 * one of our own files — `/api/v1/files/<id>` (or the public route of an article's file, written back to that form);
 * any other image is removed, so a published page never loads anything from elsewhere.
 */
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const OWN_IMAGE = new RegExp(
  `^(?:https?://[^/]+)?/api/v1/(?:files|public/articles/${UUID}/files)/(${UUID})(?:[?#].*)?$`,
  'i',
);
const SRC = new RegExp(`<img[^>]* src="/api/v1/files/(${UUID})"`, 'gi');

const options = {
  allowedTags: [
    'p',
    'br',
    'h2',
    'h3',
    'h4',
    'strong',
    'b',
    'em',
    'i',
    'u',
    's',
    'blockquote',
    'ul',
    'ol',
    'li',
    'a',
    'img',
    'figure',
    'figcaption',
    'hr',
    'table',
    'thead',
    'tbody',
    'tr',
    'th',
    'td',
  ],
  allowedAttributes: {
    a: ['href', 'title'],
    img: ['src', 'alt'],
    th: ['colspan', 'rowspan'],
    td: ['colspan', 'rowspan'],
  },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: [] },
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard' as const,
  nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'svg', 'math', 'template', 'iframe', 'object'],
  transformTags: {
    a: (tagName: string, attribs: Record<string, string>) => ({
      tagName,
      attribs: attribs.href ? { ...attribs, rel: 'noopener noreferrer', target: '_blank' } : attribs,
    }),
    img: (tagName: string, attribs: Record<string, string>) => {
      const id = OWN_IMAGE.exec((attribs.src ?? '').trim())?.[1]?.toLowerCase();
      const alt = attribs.alt ?? '';
      const kept: Record<string, string> = id ? { src: `/api/v1/files/${id}`, alt } : { alt };
      return { tagName, attribs: kept };
    },
  },
  exclusiveFilter: (frame: { tag: string; attribs: Record<string, string> }) =>
    frame.tag === 'img' && !frame.attribs.src,
};

export type CleanHtml = { html: string; imageIds: string[] };

/** Sanitised HTML and the ids of the files its images show. */
export function cleanArticleHtml(dirty: string): CleanHtml {
  // the links' added attributes are ours: allow them after the transform
  const html = sanitizeHtml(dirty, {
    ...options,
    allowedAttributes: { ...options.allowedAttributes, a: ['href', 'title', 'rel', 'target'] },
  }).trim();
  const imageIds = [...new Set([...html.matchAll(SRC)].map((m) => m[1].toLowerCase()))];
  return { html, imageIds };
}

/** The text of the body, one paragraph a line (the large-print view, summaries, read-aloud). */
export function plainText(html: string): string {
  const broken = html.replace(/<\/(p|h2|h3|h4|li|blockquote|figcaption|tr)>|<br\s*\/?>/gi, '\n');
  const text = sanitizeHtml(broken, { allowedTags: [], allowedAttributes: {} });
  return text
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .join('\n');
}

/** The body as the public page serves it: our files through the article's public file route. */
export const publicBody = (articleId: string, html: string) =>
  html.replace(SRC, (m, id: string) =>
    m.replace(`/api/v1/files/${id}`, `/api/v1/public/articles/${articleId}/files/${id}`),
  );
