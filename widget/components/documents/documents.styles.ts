import { css } from 'lit';

export const documentsStyles = css`
  input[type='search'] {
    margin-bottom: 0.5rem;
  }
  .history {
    flex: 1 1 100%;
    padding: 0.5rem 0 0 1rem;
    border-inline-start: 2px solid var(--_line);
  }
  h4 {
    margin: 0;
    font-size: 1em;
  }
`;
