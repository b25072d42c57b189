/** Caret colours dark enough for white name labels (WCAG AA contrast); suggestions use the same colour per person. */
const caretColours = ["#1d4ed8", "#b91c1c", "#047857", "#7c3aed", "#b45309", "#be185d", "#0e7490", "#4d7c0f"];

/** One person's colour, the same on every screen: their caret, their name in the list, their suggestions. */
export function colourFor(userId: string): string {
  let hash = 0;
  for (const char of userId) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return caretColours[hash % caretColours.length]!;
}
