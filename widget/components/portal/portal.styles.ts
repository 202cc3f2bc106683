import { css } from 'lit';

export const portalStyles = css`
  :host {
    container-type: inline-size;
  }
  .greeting {
    margin-bottom: var(--_gap);
    font-weight: 600;
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
