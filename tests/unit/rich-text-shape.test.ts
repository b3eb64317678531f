import { describe, expect, it } from 'vitest';
import { getSchema } from '@tiptap/core';
import StarterKit from '@tiptap/starter-kit';
import { prosemirrorJSONToYXmlFragment, updateYFragment } from '@tiptap/y-tiptap';
import { Node } from '@tiptap/pm/model';
import * as Y from 'yjs';
import { newEntry, sectionOf } from '../../shared/plan-doc.ts';
import { checkRichText } from '../../server/collab/plan-values.ts';
import { clientOrigin } from '../../server/collab/change-origin.ts';
import { PlanGuard } from '../../server/collab/plan-guard.ts';
import { TestConnection } from '../fixtures/room-harness.ts';

/**
 * The rich-text check accepts what the plan's editor writes: Tiptap's StarterKit as configured
 * in client/src/components/RichTextEditor.tsx, turned into Yjs by y-prosemirror (the binding
 * Tiptap's Collaboration extension uses), with every node and mark the toolbar offers.
 */
const schema = getSchema([
  StarterKit.configure({
    undoRedo: false,
    blockquote: false,
    code: false,
    codeBlock: false,
    horizontalRule: false,
    strike: false,
    link: false,
    underline: false,
    trailingNode: false,
    heading: { levels: [3, 4] },
  }),
]);

const text = (t: string, marks: string[] = []) => ({
  type: 'text',
  text: t,
  ...(marks.length ? { marks: marks.map((type) => ({ type })) } : {}),
});
const paragraph = (...content: object[]) => ({ type: 'paragraph', content });
const list = (type: string, attrs: object, ...items: object[][]) => ({
  type,
  attrs,
  content: items.map((content) => ({ type: 'listItem', content })),
});
const everything = {
  type: 'doc',
  content: [
    { type: 'heading', attrs: { level: 3 }, content: [text('Plan for ugen')] },
    paragraph(
      text('Vægt '),
      text('dagligt', ['bold']),
      text(' og '),
      text('BT < 140', ['italic', 'bold']),
      { type: 'hardBreak' },
      text('ny linje'),
    ),
    list(
      'bulletList',
      {},
      [paragraph(text('Furosemid'))],
      [paragraph(text('Bisoprolol')), list('orderedList', { start: 3 }, [paragraph(text('indlejret'))])],
    ),
    { type: 'heading', attrs: { level: 4 }, content: [text('Noter')] },
    paragraph(),
  ],
};

describe('rich text the editor writes', () => {
  it('passes the rich-text check, written whole and edited step by step', () => {
    const doc = new Y.Doc();
    const fragment = doc.getXmlFragment('body');
    prosemirrorJSONToYXmlFragment(schema, everything, fragment);
    expect(checkRichText(fragment)).toEqual({ ok: true });
    // An edit as the binding makes it while someone types: the fragment updated to a new document.
    const edited = JSON.parse(JSON.stringify(everything)) as typeof everything;
    edited.content.push(paragraph(text('tilføjet', ['italic'])));
    (edited.content[0] as { attrs: { level: number } }).attrs.level = 4;
    doc.transact(() =>
      updateYFragment(doc, fragment, Node.fromJSON(schema, edited), {
        mapping: new Map(),
        isOMark: new Map(),
      } as never),
    );
    expect(checkRichText(fragment)).toEqual({ ok: true });
  });

  it('is accepted by the permission check as a new note’s body', () => {
    const server = new Y.Doc();
    const guard = new PlanGuard(server);
    const client = new Y.Doc();
    const body = new Y.XmlFragment();
    client.transact(() => {
      sectionOf(client, 'notes').push([
        newEntry({
          id: '00000000-0000-4000-8000-000000000001',
          author: 'u1',
          sector: 'hospital',
          created: new Date().toISOString(),
          body,
        }),
      ]);
      prosemirrorJSONToYXmlFragment(schema, everything, body);
    });
    const result = guard.apply(
      Y.encodeStateAsUpdate(client),
      clientOrigin(new TestConnection({ userId: 'u1', role: 'hospital_nurse', sector: 'hospital' })),
    );
    expect(result.refusals).toEqual([]);
    expect(sectionOf(server, 'notes').length).toBe(1);
  });
});
