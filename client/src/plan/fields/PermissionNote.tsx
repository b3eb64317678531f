/**
 * Why the controls next to it are disabled, as visible text. Disabled controls point at it with
 * `aria-describedby`, so a screen reader says the reason with the control.
 */
export function PermissionNote({ id, text }: { id: string; text: string | null }) {
  if (!text) return null;
  return (
    <p id={id} className="permission-note" data-testid="permission-note">
      <span className="permission-note__icon" aria-hidden="true" />
      {text}
    </p>
  );
}
