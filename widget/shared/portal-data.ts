import type { Approval, PortalResponse } from '../../server/types.ts';

export const isPending = (approval: Approval) => approval.status === 'pending';

/**
 * Changes to the portal's data after something the client did, so every part shows it at once
 * without loading the portal again. Each returns new objects: context consumers compare by identity.
 */

/** A decision was recorded: the approval shows who decided, and it is no longer a next action. */
export function withApproval(data: PortalResponse, approval: Approval): PortalResponse {
  return {
    ...data,
    approvals: data.approvals.map((a) => (a.id === approval.id ? approval : a)),
    next_actions: data.next_actions.filter((n) => n.kind !== 'approval' || n.approval_id !== approval.id),
  };
}

/** A document version was opened: it loses its "New" mark. */
export function withViewed(data: PortalResponse, documentId: string, version: number): PortalResponse {
  return {
    ...data,
    documents: data.documents.map((d) =>
      d.id === documentId && d.latest.version === version ? { ...d, latest: { ...d.latest, viewed: true } } : d,
    ),
  };
}
