import { describe, expect, it } from 'vitest';
import { excerptOf, LINK_REL, mentionsOf, noteContent, plainTextOf, sanitiseNoteHtml } from '@crm/core';

const clean = sanitiseNoteHtml;
const rel = `rel="${LINK_REL}"`;

describe('note HTML sanitiser', () => {
  it('keeps the allow-listed formatting as is', () => {
    const html = '<p>One <strong>two</strong> <b>b</b> <em>e</em> <i>i</i> <u>u</u> <s>s</s></p><ul><li>a</li></ul><ol><li>b</li></ol><blockquote>q</blockquote><pre><code>x = 1</code></pre>a<br />b';
    expect(clean(html)).toBe(html);
  });

  it('removes script and style elements with their content, and other unknown elements but not their text', () => {
    expect(clean('<p>Hi <script>alert(1)</script>there</p>')).toBe('<p>Hi there</p>');
    expect(clean('<style>p { color: red }</style><p>styled</p>')).toBe('<p>styled</p>');
    expect(clean('<div><h1>Title</h1><table><tr><td>cell</td></tr></table></div>')).toBe('Titlecell');
    expect(clean('<iframe src="https://evil.example"></iframe><object data="x.swf"></object><embed src="x">ok')).toBe('ok');
    expect(clean('<svg><a href="javascript:alert(1)">q</a><animate attributeName="href" to="javascript:alert(1)"/></svg>safe')).toBe('safe');
  });

  it('drops images and every event handler, style, class and id attribute', () => {
    expect(clean('<img src=x onerror=alert(1)>text')).toBe('text');
    expect(clean('<p onclick="steal()" onmouseover="x()" style="background:url(javascript:alert(1))" class="c" id="i">p</p>')).toBe('<p>p</p>');
    expect(clean('<b onfocus=alert(1) autofocus tabindex=0>b</b>')).toBe('<b>b</b>');
  });

  it('keeps only http, https and mailto links, and forces rel on every link', () => {
    expect(clean('<a href="https://example.com/a?b=1&amp;c=2" target="_blank" rel="opener" title="t">ok</a>')).toBe(`<a href="https://example.com/a?b=1&amp;c=2" ${rel}>ok</a>`);
    expect(clean('<a href="mailto:li@example.com">mail</a>')).toBe(`<a href="mailto:li@example.com" ${rel}>mail</a>`);
    for (const href of ['javascript:alert(1)', 'JaVaScRiPt:alert(1)', ' javascript:alert(1)', 'jav&#x61;script:alert(1)', 'java\tscript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'vbscript:msgbox(1)', '//evil.example/x', 'tel:123']) {
      expect(clean(`<a href="${href}">x</a>`), href).toBe(`<a ${rel}>x</a>`);
    }
  });

  it('defeats nested and malformed tricks', () => {
    expect(clean('<scr<script>ipt>alert(1)</script>')).not.toMatch(/<script/i);
    expect(clean('<noscript><p title="</noscript><img src=x onerror=alert(1)>">')).not.toMatch(/<img|onerror=/i);
    expect(clean('<!--<img src=x onerror=alert(1)>-->')).not.toMatch(/<img/i);
    expect(clean('<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>')).not.toMatch(/<img|<style/i);
    // Stray and unclosed tags come out balanced (a stray </p> is an empty paragraph, as in browsers).
    expect(clean('<p>a</p></p><li>x')).toBe('<p>a</p><p></p><li>x</li>');
    // Sanitising is idempotent: what is stored survives a second pass unchanged.
    const once = clean('<a href="https://x.example" onclick="y">l</a><span data-mention="u1">@U</span><img src=x>');
    expect(clean(once)).toBe(once);
  });

  it('keeps well-formed mentions, strips foreign attributes from them and unwraps other spans', () => {
    expect(clean('<span data-mention="user-1" onclick="x()" class="m">@Li</span>')).toBe('<span data-mention="user-1">@Li</span>');
    expect(clean('<span data-mention="bad&quot;id">@X</span> <span style="color:red">red</span> <span>plain</span>')).toBe('@X red plain');
    expect(clean('<span data-mention="">@empty</span>')).toBe('@empty');
  });
});

describe('note content', () => {
  it('reads mentions from the sanitised markup: distinct, in order, never from stripped elements', () => {
    const { body, mentions } = noteContent('<p><span data-mention="bob">@Bob</span> and <span data-mention="ann">@Ann</span>, <span data-mention="bob">@Bob</span></p><script><span data-mention="eve">x</span></script><span data-mention="a b">no</span>', 'html');
    expect(mentions).toEqual(['bob', 'ann']);
    expect(mentionsOf(body)).toEqual(['bob', 'ann']);
  });

  it('makes a plain-text excerpt: blocks separated, entities decoded, at most 200 characters', () => {
    expect(plainTextOf(clean('<p>Tom &amp; Jerry &lt;3</p><ul><li>one</li><li>two</li></ul>a<br>b'))).toMatch(/^ ?Tom & Jerry <3 +one +two +a b$/);
    expect(noteContent('<p>Tom &amp; Jerry</p><p>second</p>', 'html').excerpt).toBe('Tom & Jerry second');
    const long = noteContent(`<p>${'x'.repeat(300)}</p>`, 'html').excerpt;
    expect(Array.from(long)).toHaveLength(200);
    expect(long.endsWith('…')).toBe(true);
    expect(excerptOf('😀'.repeat(250))).toBe(`${'😀'.repeat(199)}…`);
  });

  it('keeps text format verbatim (it is never markup) and reads no mentions from it', () => {
    const text = 'if a < b && <span data-mention="x">@x</span>\nthen';
    expect(noteContent(text, 'text')).toEqual({ body: text, excerpt: 'if a < b && <span data-mention="x">@x</span> then', mentions: [] });
  });
});
