import { html } from 'lit';
import { property } from 'lit/decorators.js';
import type { Invoice, InvoiceStatus, PortalResponse } from '../../../server/types.ts';
import { downloadKey, PorchPart } from '../../shared/element.ts';
import { formatDate, formatMoney } from '../../shared/format.ts';
import { invoicesStyles } from './invoices.styles.ts';

const BADGE: Record<InvoiceStatus, string> = { paid: 'Paid', open: 'Open', overdue: 'Overdue' };

/**
 * @tagname porch-invoices
 * @summary Every invoice: number, date, amount in the invoice's currency and the client's locale,
 * a paid / open / overdue badge, the PDF, and a pay link while it is unpaid. `due` shows only what
 * is still to pay, `paid` only what is paid (the default layout shows the two apart, so no invoice
 * and no pay link appears twice).
 *
 * @event porch-download - An invoice PDF was downloaded. `detail: { kind: 'invoice', id, filename }`.
 * @event porch-error - A download failed. `detail: { error }`.
 *
 * @csspart base - The section.
 * @csspart heading - The section's title.
 * @csspart row - One invoice.
 * @csspart badge - The status badge.
 * @csspart pay - The pay link.
 * @csspart empty - The message shown before the first invoice.
 * @csspart error - An error message with its retry button.
 *
 * @cssproperty [--porch-accent=the agency's brand colour] - The pay links.
 */
export class PorchInvoices extends PorchPart {
  static override styles = [PorchPart.styles, invoicesStyles];

  protected override readonly revealKind = 'invoice' as const;

  /** Only invoices still to pay (overdue first), titled "To pay": the portal's next action. */
  @property({ type: Boolean }) accessor due = false;

  /** Only paid invoices, titled "Paid invoices": the rest of the list beside a "To pay" section. */
  @property({ type: Boolean }) accessor paid = false;

  protected get heading() {
    return this.due ? 'To pay' : this.paid ? 'Paid invoices' : 'Invoices';
  }

  protected renderContent({ invoices }: PortalResponse) {
    const shown = this.due
      ? invoices.filter((i) => i.status !== 'paid').sort((a, b) => Number(b.status === 'overdue') - Number(a.status === 'overdue'))
      : this.paid
        ? invoices.filter((i) => i.status === 'paid')
        : invoices;
    const linked = this.portal?.focus;
    return html`${this.renderLinkGone(!linked || invoices.some((i) => i.id === linked.id))}
    ${shown.length
      ? html`<ul class="rows">${shown.map((i) => this.renderInvoice(i))}</ul>`
      : this.emptyState(
          this.due ? 'Nothing to pay right now.' : this.paid ? 'Paid invoices will appear here.' : 'Your first invoice will appear here.',
        )}`;
  }

  private renderInvoice(invoice: Invoice) {
    const file = { kind: 'invoice' as const, id: invoice.id, filename: `invoice-${invoice.number}.pdf` };
    const pdf = () => this.download(file, (api) => api.invoicePdf(invoice.id));
    const locale = this.locale;
    const revealed = this.isRevealed(invoice.id);
    return html`<li part="row" data-id=${invoice.id} ?data-focused=${revealed}>
      <div class="grow">
        <h3>Invoice ${invoice.number}<span class="badge ${invoice.status}" part="badge">${BADGE[invoice.status]}</span></h3>
        <p class="amount">${formatMoney(invoice.total_minor, invoice.currency, locale)}</p>
        <p class="muted">
          Issued ${formatDate(invoice.issued_on, locale)} ·
          ${invoice.paid_at ? `paid ${formatDate(invoice.paid_at, locale)}` : `due ${formatDate(invoice.due_on, locale)}`}
        </p>
      </div>
      <div class="actions">
        ${invoice.status !== 'paid' && /^https?:\/\//i.test(invoice.pay_url ?? '')
          ? html`<a class="button primary" part="pay" href=${invoice.pay_url!} target="_blank" rel="noopener noreferrer">
              Pay now<span class="sr">: invoice ${invoice.number} (opens in a new tab)</span>
            </a>`
          : ''}
        ${this.renderRequestButton(downloadKey(file), 'PDF', `download invoice ${invoice.number}`, pdf)}
      </div>
      ${this.renderFailure(downloadKey(file), pdf)}
    </li>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'porch-invoices': PorchInvoices;
  }
}
