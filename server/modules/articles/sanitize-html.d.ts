// sanitize-html 2.x ships no types: the part of its options this module uses.
declare module 'sanitize-html' {
  type Attributes = Record<string, string>;
  type Frame = { tag: string; attribs: Attributes; text: string; tagPosition: number };
  type Transform = (tagName: string, attribs: Attributes) => { tagName: string; attribs: Attributes; text?: string };
  type Options = {
    allowedTags?: string[] | false;
    allowedAttributes?: Record<string, string[]> | false;
    allowedSchemes?: string[];
    allowedSchemesByTag?: Record<string, string[]>;
    allowedSchemesAppliedToAttributes?: string[];
    allowProtocolRelative?: boolean;
    disallowedTagsMode?: 'discard' | 'escape' | 'recursiveEscape';
    nonTextTags?: string[];
    transformTags?: Record<string, Transform | string>;
    exclusiveFilter?: (frame: Frame) => boolean;
    textFilter?: (text: string, tagName: string) => string;
  };
  function sanitizeHtml(dirty: string, options?: Options): string;
  export default sanitizeHtml;
}
