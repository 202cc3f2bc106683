import { css } from 'lit';

export const portalStyles = css`
  :host {
    container-type: inline-size;
  }
  .greeting {
    margin-bottom: var(--_gap);
    font-weight: 600;
  }
  .greeting .skeleton {
    width: 60%;
    height: 1.5em;
    margin: 0;
  }
  /* Room for the next action while loading: most clients have one, and it goes first. */
  .next {
    min-height: 9rem;
    padding: var(--_gap);
    border: 1px solid var(--_line);
    border-radius: var(--_radius);
  }
  .layout {
    display: grid;
    gap: var(--_gap);
    padding: 0;
    border: 0;
    background: none;
  }
  @container (min-width: 48rem) {
    .layout {
      grid-template-columns: 1fr 1fr;
    }
    .wide {
      grid-column: 1 / -1;
    }
  }
`;
