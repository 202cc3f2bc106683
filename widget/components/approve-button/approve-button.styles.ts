import { css } from 'lit';

export const approveButtonStyles = css`
  .confirm {
    display: grid;
    gap: 0.5rem;
  }
  .problem-text:empty {
    display: none;
  }
  .problem-text {
    font-weight: 600;
  }
  blockquote {
    margin: 0.5rem 0 0;
    padding-inline-start: 0.75rem;
    border-inline-start: 3px solid var(--_line);
  }
`;
