/** Something on this node that holds live sessions on patients' plans (the /collab endpoint, Socket.IO). */
export interface SessionHolder {
  /** Re-checks its sessions on this patient's plans; those that lost access end. */
  revalidate(patientId: string): Promise<unknown>;
  /** Re-checks every session of this person (one of their signed-in sessions ended). */
  revalidatePerson(userId: string): Promise<unknown>;
}

/**
 * A change of who may see a patient's plans (a care-team removal, an objection, a revoked
 * embed link) takes effect on open sessions at once: every holder of sessions on this node
 * re-checks its own. With several nodes each node is told (server/cluster) and does the same.
 * Holders are added as they are built; a change before then found no session of theirs.
 */
export class AccessChanges {
  private readonly holders: SessionHolder[] = [];

  hold(holder: SessionHolder): void {
    this.holders.push(holder);
  }

  async revalidateHere(patientId: string): Promise<void> {
    for (const holder of this.holders) await holder.revalidate(patientId);
  }

  async revalidatePersonHere(userId: string): Promise<void> {
    for (const holder of this.holders) await holder.revalidatePerson(userId);
  }
}
