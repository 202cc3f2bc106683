import { css } from 'lit';

/**
 * What every Porch element shares: the theme tokens, type, buttons, rows, badges, skeletons.
 * Colours come from the host page (currentColor) so the portal looks native on light and dark
 * pages; only the accent is Porch's, and it defaults to the agency's brand colour.
 */
export const baseStyles = css`
  :host {
    --_accent: var(--porch-accent, var(--porch-brand, #1d4ed8));
    /* Black or white, whichever reads on the accent: worked out at run time (theme.ts). */
    --_on-accent: var(--porch-on-accent, var(--_auto-ink, #fff));
    --_radius: var(--porch-radius, 0.5rem);
    --_gap: var(--porch-gap, 1rem);
    --_line: var(--porch-border, color-mix(in srgb, currentColor 22%, transparent));
    display: block;
    font-family: var(--porch-font, inherit);
    font-size: max(1rem, 16px);
    line-height: 1.5;
    overflow-wrap: anywhere;
  }
  :host([hidden]) {
    display: none;
  }
  * {
    box-sizing: border-box;
  }
  h2 {
    font-size: 1.25em;
    line-height: 1.3;
    margin: 0 0 0.75rem;
  }
  h3 {
    font-size: 1em;
    margin: 0;
  }
  p,
  ul,
  ol {
    margin: 0;
  }
  ul,
  .rows {
    list-style: none;
    padding: 0;
  }
  section[part='base'] {
    container-type: inline-size;
    background: var(--porch-surface, transparent);
    border: 1px solid var(--_line);
    border-radius: var(--_radius);
    padding: var(--_gap);
  }
  button,
  .button,
  input,
  select,
  textarea {
    font: inherit;
    color: inherit;
    border: 1px solid var(--_line);
    border-radius: var(--_radius);
    background: transparent;
  }
  button,
  .button {
    display: inline-flex;
    align-items: center;
    justify-content: center;
    gap: 0.5em;
    min-width: 44px;
    min-height: 44px;
    padding: 0.5rem 1rem;
    cursor: pointer;
    text-decoration: none;
    text-align: center;
  }
  button:hover,
  .button:hover {
    background: color-mix(in srgb, currentColor 8%, transparent);
  }
  .primary,
  .primary:hover {
    background: var(--_accent);
    color: var(--_on-accent);
    border-color: var(--_accent);
    font-weight: 600;
  }
  .primary:hover {
    box-shadow: inset 0 0 0 100vmax rgb(0 0 0 / 0.12);
  }
  [aria-busy='true'] {
    cursor: progress;
  }
  /* Two tones, so the ring shows on any page and beside any accent: the accent outside, the
     page's canvas colour between it and the control. */
  :focus-visible {
    outline: 3px solid var(--porch-focus, var(--_accent));
    outline-offset: 2px;
    box-shadow: 0 0 0 2px Canvas;
  }
  input,
  select,
  textarea {
    width: 100%;
    min-height: 44px;
    padding: 0.5rem 0.75rem;
    border-color: color-mix(in srgb, currentColor 55%, transparent);
  }
  label {
    display: block;
    font-weight: 600;
  }
  .rows > li {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    justify-content: space-between;
    gap: 0.5rem 1rem;
    padding: 0.75rem 0;
    border-top: 1px solid var(--_line);
  }
  .rows > li:first-child {
    border-top: 0;
  }
  .rows > li[data-focused] {
    border-inline-start: 4px solid var(--_accent);
    padding-inline-start: 0.75rem;
  }
  .grow {
    flex: 1 1 12rem;
    min-width: 0;
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
  }
  /* On a phone-wide section a row's buttons go under its text, the same on every row. */
  @container (max-width: 30rem) {
    .rows > li > .actions {
      flex-basis: 100%;
    }
  }
  .muted {
    opacity: 0.85;
  }
  .badge {
    display: inline-block;
    margin-inline-start: 0.5em;
    padding: 0 0.5em;
    border: 1px solid currentColor;
    border-radius: 999px;
    font-weight: 600;
    white-space: nowrap;
  }
  .badge.new {
    background: var(--_accent);
    color: var(--_on-accent);
    border-color: var(--_accent);
  }
  .badge.overdue {
    background: #b3261e;
    color: #fff;
    border-color: #b3261e;
  }
  .badge.paid {
    background: #146c2e;
    color: #fff;
    border-color: #146c2e;
  }
  .spinner {
    width: 1em;
    height: 1em;
    border: 2px solid;
    border-inline-end-color: transparent;
    border-radius: 50%;
    animation: spin 0.8s linear infinite;
  }
  @keyframes spin {
    to {
      transform: rotate(1turn);
    }
  }
  .notice {
    font-weight: 600;
  }
  /* A failure beside a row goes under the row's text and buttons. */
  .rows .problem {
    flex: 1 1 100%;
  }
  .empty,
  .problem {
    padding: var(--_gap);
    border: 1px dashed var(--_line);
    border-radius: var(--_radius);
  }
  .problem {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    justify-content: space-between;
    gap: 0.5rem 1rem;
    border-style: solid;
  }
  .skeleton {
    display: block;
    height: 1.25rem;
    margin: 0.75rem 0;
    border-radius: 0.25rem;
    background: color-mix(in srgb, currentColor 12%, transparent);
    animation: pulse 1.5s ease-in-out infinite;
  }
  .skeleton:nth-child(2n) {
    width: 70%;
  }
  @keyframes pulse {
    50% {
      opacity: 0.45;
    }
  }
  .sr {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
  [hidden] {
    display: none !important;
  }
  @media (prefers-reduced-motion: reduce) {
    *,
    *::before,
    *::after {
      animation: none !important;
      transition: none !important;
      scroll-behavior: auto !important;
    }
  }
`;
