/**
 * The JSON the client API answers with: the contract between server/ and widget/.
 * Money is in minor units (cents) of the invoice's currency; times are ISO 8601 strings;
 * dates (issued_on, due_on) are YYYY-MM-DD.
 */

export interface ApiErrorBody {
  error: { code: string; message: string };
}

export interface SessionResponse {
  session: string;
  expires_at: string;
}

export interface AgencyBranding {
  id: string;
  name: string;
  brand_color: string;
  portal_url: string | null;
}

export interface ClientProfile {
  id: string;
  external_id: string;
  name: string | null;
  email: string | null;
}

export interface Phase {
  position: number;
  name: string;
}

export interface Project {
  id: string;
  name: string;
  phases: Phase[];
  /** 1-based position of the current phase; null before work starts. */
  current_phase: number | null;
  updated_at: string;
}

export interface DocumentVersion {
  id: string;
  version: number;
  filename: string;
  content_type: string;
  size_bytes: number;
  sha256: string;
  note: string | null;
  created_by: string;
  created_at: string;
  /** Whether this client has opened (downloaded) this version. */
  viewed: boolean;
}

export interface DocumentSummary {
  id: string;
  title: string;
  project_id: string | null;
  updated_at: string;
  version_count: number;
  latest: DocumentVersion;
}

export interface DocumentDetail extends DocumentSummary {
  /** Newest first. */
  versions: DocumentVersion[];
}

/** `withdrawn`: the agency took the request back before it was decided; it cannot be decided. */
export type ApprovalStatus = 'pending' | 'approved' | 'changes_requested' | 'withdrawn';
export type Decision = 'approved' | 'changes_requested';

export interface ApprovalDecision {
  decision: Decision;
  comment: string | null;
  actor_name: string | null;
  actor_email: string | null;
  decided_at: string;
}

export interface Approval {
  id: string;
  title: string;
  message: string | null;
  status: ApprovalStatus;
  requested_by: string;
  due_on: string | null;
  created_at: string;
  document: { id: string; title: string };
  version: { id: string; version: number; filename: string; note: string | null; created_at: string };
  /**
   * Whether a newer version of the document has been uploaded since the request's version. The
   * server always sends it; optional only so that Approvals built before it existed stay valid.
   */
  superseded?: boolean;
  decision: ApprovalDecision | null;
}

export type InvoiceStatus = 'open' | 'paid' | 'overdue';

export interface InvoiceLine {
  position: number;
  description: string;
  quantity: number;
  unit_price_minor: number;
  amount_minor: number;
}

export interface Invoice {
  id: string;
  number: string;
  currency: string;
  issued_on: string;
  due_on: string;
  status: InvoiceStatus;
  subtotal_minor: number;
  tax_minor: number;
  total_minor: number;
  pay_url: string | null;
  paid_at: string | null;
  project_id: string | null;
  lines: InvoiceLine[];
}

export type NextAction =
  | { kind: 'approval'; approval_id: string; title: string; due_on: string | null }
  | {
      kind: 'invoice';
      invoice_id: string;
      number: string;
      status: 'open' | 'overdue';
      total_minor: number;
      currency: string;
      due_on: string;
    };

/** GET /v1/portal: everything the first screen needs, in one answer. */
export interface PortalResponse {
  agency: AgencyBranding;
  client: ClientProfile;
  projects: Project[];
  /** Most urgent first: overdue invoices, pending approvals, open invoices. */
  next_actions: NextAction[];
  /** Latest version of each document, most recently updated first. */
  documents: DocumentSummary[];
  /**
   * Pending approvals (oldest first), then those decided in the last 30 days (newest first): the
   * record of who decided and when.
   */
  approvals: Approval[];
  /** Newest first. */
  invoices: Invoice[];
}
