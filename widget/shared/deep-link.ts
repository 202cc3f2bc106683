/** A link into the portal from an email: `#porch/approval/<id>`, `#porch/document/<id>`, `#porch/invoice/<id>`. */
export interface DeepLink {
  kind: 'approval' | 'document' | 'invoice';
  id: string;
}

export function parseDeepLink(hash: string): DeepLink | null {
  const match = /^#porch\/(approval|document|invoice)\/([\w-]{1,100})$/.exec(hash);
  return match ? { kind: match[1] as DeepLink['kind'], id: match[2] } : null;
}
