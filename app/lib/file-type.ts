/** The type a file really is, from its first bytes; the name and the browser's claim are not trusted. */
export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;

export type AttachmentType = "application/pdf" | "image/png" | "image/jpeg";

export function sniffFileType(bytes: Uint8Array): AttachmentType | null {
  const starts = (signature: number[]) => signature.every((byte, index) => bytes[index] === byte);
  if (starts([0x25, 0x50, 0x44, 0x46, 0x2d])) return "application/pdf";
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "image/png";
  if (starts([0xff, 0xd8, 0xff])) return "image/jpeg";
  return null;
}
