import { css } from 'lit';

export const statusStyles = css`
  .project {
    font-weight: 600;
  }
  select {
    margin: 0.25rem 0 0.75rem;
  }
  /* The open list is drawn by the browser, light unless the page says color-scheme: dark; the
     inherited text colour of a dark page would be light on light there. */
  option {
    background: Canvas;
    color: CanvasText;
  }
  .phase {
    font-size: 1.125em;
    font-weight: 600;
    margin: 0.25rem 0 0.5rem;
  }
  .bar {
    display: grid;
    grid-auto-columns: 1fr;
    grid-auto-flow: column;
    gap: 4px;
    height: 0.75rem;
    margin-bottom: 0.75rem;
  }
  .bar span {
    border-radius: 999px;
    background: color-mix(in srgb, currentColor 15%, transparent);
  }
  .bar .done {
    background: var(--_accent);
  }
  .bar .now {
    background: linear-gradient(90deg, var(--_accent) 50%, color-mix(in srgb, var(--_accent) 35%, transparent) 50%);
  }
  ol {
    margin-top: 0.5rem;
    padding-inline-start: 1.5rem;
  }
  li {
    padding: 0.25rem 0;
  }
  li.now {
    font-weight: 600;
  }
`;
