import { useId, useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';
import { EditorContent, useEditor, useEditorState, type Editor } from '@tiptap/react';
import StarterKit from '@tiptap/starter-kit';
import Collaboration from '@tiptap/extension-collaboration';
import CollaborationCaret from '@tiptap/extension-collaboration-caret';
import type * as Y from 'yjs';
import type { WebsocketProvider } from 'y-websocket';
import { useI18n, type MessageKey } from '../i18n/index.tsx';

interface Props {
  fragment: Y.XmlFragment;
  provider: WebsocketProvider;
  caretUser: { name: string; color: string };
  label: string;
  /** Show the label above the editor; otherwise it is for screen readers only. */
  showLabel?: boolean;
  testId: string;
  /** Put the caret at the end as it opens (the person just chose to edit). */
  autoFocus?: boolean;
  /** Focus left the editor and its toolbar, or Escape was pressed: the person is done with it. */
  onLeave?: () => void;
}

/**
 * A live rich-text editor bound to a Y.XmlFragment of the plan (a goal's description, a
 * task's details, a note's body), with everyone else's caret and name in it. The schema is
 * kept to the plan's rich text (paragraphs, headings, lists, bold, italic).
 */
export function RichTextEditor({
  fragment,
  provider,
  caretUser,
  label,
  showLabel = false,
  testId,
  autoFocus = false,
  onLeave,
}: Props) {
  const labelId = useId();
  const editor = useEditor(
    {
      immediatelyRender: true,
      autofocus: autoFocus ? 'end' : false,
      extensions: [
        StarterKit.configure({
          undoRedo: false, // Collaboration brings Yjs' own undo
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
        Collaboration.configure({ fragment }),
        CollaborationCaret.configure({ provider, user: caretUser }),
      ],
      editorProps: {
        attributes: {
          class: 'note-editor__content',
          role: 'textbox',
          'aria-multiline': 'true',
          'aria-labelledby': labelId,
          'data-testid': testId,
        },
      },
    },
    [fragment, provider],
  );

  useKeysBeforeFocus(editor, autoFocus);

  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: focus leaving the editor and its toolbar (or Escape) ends editing
    <div
      className="rich-text"
      onBlur={(event) => {
        if (onLeave && !event.currentTarget.contains(event.relatedTarget as Node | null)) onLeave();
      }}
      onKeyDown={(event) => {
        if (onLeave && event.key === 'Escape') {
          event.preventDefault();
          onLeave();
        }
      }}
    >
      <span id={labelId} className={showLabel ? 'rich-text__label' : 'visually-hidden'}>
        {label}
      </span>
      <div className="note-editor">
        <NoteToolbar editor={editor} />
        <EditorContent editor={editor} />
      </div>
    </div>
  );
}

/** Keys typed before the editor took the focus are kept this long at most. */
const KEYS_BEFORE_FOCUS_MS = 2000;

/**
 * A clinician who chooses "Ret" and types at once must not lose the first keys: the editor
 * takes the focus a moment after it opens (Tiptap's autofocus waits a tick), and keys typed
 * meanwhile would go to the page. Until it has the focus, printable keys (and Backspace) are
 * kept here and typed into it, at the end, as it takes the focus.
 */
function useKeysBeforeFocus(editor: Editor | null, autoFocus: boolean): void {
  useLayoutEffect(() => {
    if (!autoFocus || !editor || editor.isDestroyed) return;
    let typed = '';
    const onKey = (event: globalThis.KeyboardEvent) => {
      if (editor.isDestroyed || editor.view.hasFocus()) return;
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      if (event.key.length === 1) typed += event.key;
      else if (event.key === 'Backspace') typed = typed.slice(0, -1);
      else return;
      event.preventDefault();
      event.stopPropagation();
    };
    const stop = () => {
      window.removeEventListener('keydown', onKey, true);
      editor.off('focus', onFocus);
      clearTimeout(timer);
    };
    const onFocus = () => {
      stop();
      if (typed) editor.chain().focus('end').insertContent({ type: 'text', text: typed }).run();
    };
    window.addEventListener('keydown', onKey, true);
    editor.on('focus', onFocus);
    const timer = setTimeout(stop, KEYS_BEFORE_FOCUS_MS);
    return stop;
  }, [editor, autoFocus]);
}

type Mark = 'bold' | 'italic' | 'heading' | 'bulletList' | 'orderedList';

const TOOLS: ReadonlyArray<{ mark: Mark; label: MessageKey; glyph: MessageKey }> = [
  { mark: 'bold', label: 'editor.bold', glyph: 'editor.boldShort' },
  { mark: 'italic', label: 'editor.italic', glyph: 'editor.italicShort' },
  { mark: 'heading', label: 'editor.heading', glyph: 'editor.headingShort' },
  { mark: 'bulletList', label: 'editor.bulletList', glyph: 'editor.bulletListShort' },
  { mark: 'orderedList', label: 'editor.orderedList', glyph: 'editor.orderedListShort' },
];

function toggle(editor: Editor, mark: Mark): void {
  const chain = editor.chain().focus();
  if (mark === 'bold') chain.toggleBold().run();
  else if (mark === 'italic') chain.toggleItalic().run();
  else if (mark === 'heading') chain.toggleHeading({ level: 3 }).run();
  else if (mark === 'bulletList') chain.toggleBulletList().run();
  else chain.toggleOrderedList().run();
}

/** A WAI-ARIA toolbar: one tab stop, arrow keys (and Home/End) move between its buttons. */
function NoteToolbar({ editor }: { editor: Editor }) {
  const { t } = useI18n();
  const [current, setCurrent] = useState(0);
  const buttons = useRef<Array<HTMLButtonElement | null>>([]);
  const active = useEditorState({
    editor,
    selector: ({ editor: e }) => ({
      bold: e.isActive('bold'),
      italic: e.isActive('italic'),
      heading: e.isActive('heading'),
      bulletList: e.isActive('bulletList'),
      orderedList: e.isActive('orderedList'),
    }),
  });

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const last = TOOLS.length - 1;
    const next =
      event.key === 'ArrowRight'
        ? current === last
          ? 0
          : current + 1
        : event.key === 'ArrowLeft'
          ? current === 0
            ? last
            : current - 1
          : event.key === 'Home'
            ? 0
            : event.key === 'End'
              ? last
              : null;
    if (next === null) return;
    event.preventDefault();
    setCurrent(next);
    buttons.current[next]?.focus();
  };

  return (
    <div className="note-editor__toolbar" role="toolbar" aria-label={t('editor.toolbar')} onKeyDown={onKeyDown}>
      {TOOLS.map(({ mark, label, glyph }, index) => (
        <button
          key={mark}
          ref={(el) => {
            buttons.current[index] = el;
          }}
          type="button"
          tabIndex={index === current ? 0 : -1}
          className={`tool tool--${mark}`}
          aria-pressed={active[mark]}
          aria-label={t(label)}
          title={t(label)}
          onMouseDown={(e) => e.preventDefault()}
          onFocus={() => setCurrent(index)}
          onClick={() => toggle(editor, mark)}
        >
          <span aria-hidden="true">{t(glyph)}</span>
        </button>
      ))}
    </div>
  );
}
