import { createContext, useContext } from "react";

/**
 * The Content-Security-Policy nonce of this response (server/security-headers.ts), for Remix's inline scripts.
 * Only the server render has it; in the browser it is undefined (browsers hide nonces from the DOM anyway).
 */
export const NonceContext = createContext<string | undefined>(undefined);

export const useNonce = () => useContext(NonceContext);
