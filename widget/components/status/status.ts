import { html } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { PortalResponse, Project } from '../../../server/types.ts';
import { PorchPart } from '../../shared/element.ts';
import { statusStyles } from './status.styles.ts';

/** "Phase 2 of 4: Design Review", or where a project stands before work starts. */
export function phaseLabel(project: Project): string {
  const total = project.phases.length;
  const at = project.current_phase;
  return at ? `Phase ${at} of ${total}: ${project.phases[at - 1]?.name ?? ''}` : `Not started yet: ${total} phases planned`;
}

/**
 * @tagname porch-status
 * @summary Where the project stands: "Phase 2 of 4: Design Review", a progress bar, and the list
 * of phases one tap away. With several projects, a picker chooses which.
 *
 * @csspart base - The section.
 * @csspart heading - The section's title.
 * @csspart phase - The "Phase 2 of 4: …" line.
 * @csspart progress - The progress bar (one segment a phase).
 * @csspart phases - The list of phases.
 * @csspart empty - The message shown before there is a project.
 * @csspart error - The error message with its retry button.
 *
 * @cssproperty [--porch-accent=the agency's brand colour] - Done phases in the bar.
 */
export class PorchStatus extends PorchPart {
  static override styles = [PorchPart.styles, statusStyles];

  /** The id of the project to show; the most recently updated one by default. */
  @property() accessor project: string | null = null;

  @state() private accessor phasesOpen = false;

  protected get heading() {
    return 'Project status';
  }

  protected renderContent({ projects }: PortalResponse) {
    if (!projects.length) return this.emptyState('Your project’s progress will appear here once work begins.');
    const current = projects.find((p) => p.id === this.project) ?? projects[0];
    const at = current.current_phase ?? 0;
    const label = phaseLabel(current);
    return html`
      ${projects.length > 1
        ? html`<label for="project">Project</label>
            <select id="project" @change=${(e: Event) => (this.project = (e.target as HTMLSelectElement).value)}>
              ${projects.map((p) => html`<option value=${p.id} ?selected=${p === current}>${p.name}</option>`)}
            </select>`
        : html`<p class="project">${current.name}</p>`}
      <p class="phase" part="phase">${label}</p>
      <div
        class="bar"
        part="progress"
        role="progressbar"
        aria-label="Project progress"
        aria-valuemin="0"
        aria-valuemax=${current.phases.length}
        aria-valuenow=${at}
        aria-valuetext=${label}
      >
        ${current.phases.map((p) => html`<span class=${p.position < at ? 'done' : p.position === at ? 'now' : ''}></span>`)}
      </div>
      <button aria-expanded=${this.phasesOpen ? 'true' : 'false'} aria-controls="phases" @click=${() => (this.phasesOpen = !this.phasesOpen)}>
        ${this.phasesOpen ? 'Hide phases' : 'See all phases'}
      </button>
      <ol id="phases" part="phases" ?hidden=${!this.phasesOpen}>
        ${current.phases.map(
          (p) =>
            html`<li class=${p.position === at ? 'now' : ''}>
              ${p.name} <span class="muted">${p.position < at ? '· done' : p.position === at ? '· in progress' : '· to come'}</span>
            </li>`,
        )}
      </ol>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'porch-status': PorchStatus;
  }
}
