import type { Approval, Decision, PortalResponse } from '../../server/types.ts';
import type { PorchError } from '../api/client.ts';

/** `porch-ready`: the portal's first screen loaded. */
export interface PorchReadyDetail {
  portal: PortalResponse;
}

/** `porch-approve-request` (cancelable): a decision is about to be sent; `preventDefault()` stops it. */
export interface PorchApproveRequestDetail {
  approval: Approval;
  decision: Decision;
  comment: string;
}

/** `porch-approved`: a decision was recorded (`approval.decision` says which and by whom). */
export interface PorchApprovedDetail {
  approval: Approval;
}

/** `porch-download`: a file was fetched and handed to the browser. */
export interface PorchDownloadDetail {
  kind: 'document' | 'invoice';
  /** The document's or the invoice's id. */
  id: string;
  /** The document version; absent for invoices. */
  version?: number;
  filename: string;
}

/** `porch-error`: a request failed (loading, a decision, a download). */
export interface PorchErrorDetail {
  error: PorchError;
}

export interface PorchEventMap {
  'porch-ready': CustomEvent<PorchReadyDetail>;
  'porch-approve-request': CustomEvent<PorchApproveRequestDetail>;
  'porch-approved': CustomEvent<PorchApprovedDetail>;
  'porch-download': CustomEvent<PorchDownloadDetail>;
  'porch-error': CustomEvent<PorchErrorDetail>;
}

declare global {
  // Typed `addEventListener('porch-approved', …)` for pages written in TypeScript, on the elements
  // and on the document, where one listener hears every portal (the events bubble out of it).
  interface HTMLElementEventMap extends PorchEventMap {}
  interface DocumentEventMap extends PorchEventMap {}
}

/** Fires a Porch event: it bubbles and leaves shadow roots. Returns false if a listener cancelled it. */
export function emit<K extends keyof PorchEventMap>(
  target: EventTarget,
  type: K,
  detail: PorchEventMap[K]['detail'],
  cancelable = false,
): boolean {
  return target.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true, cancelable }));
}
