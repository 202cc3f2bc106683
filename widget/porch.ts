/**
 * The bundle an agency's page loads with one script tag (dist/porch.js): it defines every Porch
 * element once, tolerating a second copy of the script on the page, and defines nothing else
 * globally. TypeScript users get the element classes, the tag map and the event detail types.
 */
import { PorchApproveButton } from './components/approve-button/approve-button.ts';
import { PorchApprovals } from './components/approvals/approvals.ts';
import { PorchDocuments } from './components/documents/documents.ts';
import { PorchInvoices } from './components/invoices/invoices.ts';
import { PorchPortal } from './components/portal/portal.ts';
import { PorchStatus } from './components/status/status.ts';
import { define } from './shared/define.ts';

// The portal first: parts that upgrade after it find it as their context provider.
define('porch-portal', PorchPortal);
define('porch-status', PorchStatus);
define('porch-documents', PorchDocuments);
define('porch-approvals', PorchApprovals);
define('porch-approve-button', PorchApproveButton);
define('porch-invoices', PorchInvoices);

export { PorchApproveButton, PorchApprovals, PorchDocuments, PorchInvoices, PorchPortal, PorchStatus };
export { PorchApi, PorchError } from './api/client.ts';
export type { PortalState } from './shared/context.ts';
export type {
  PorchApproveRequestDetail,
  PorchApprovedDetail,
  PorchDownloadDetail,
  PorchErrorDetail,
  PorchEventMap,
  PorchReadyDetail,
} from './shared/events.ts';
