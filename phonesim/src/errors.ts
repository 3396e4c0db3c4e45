/**
 * Stable error codes of the phone simulator (documented in docs/errors.md, section "Phone simulator").
 * A failed step of a simulated boot carries one of these codes in the per-phone report.
 */
export type SimErrorCode =
  | 'SIM_XML_MALFORMED' // a downloaded .cfg / .xml file could not be parsed
  | 'SIM_MASTER_INVALID' // the master configuration file has no <APPLICATION> root element
  | 'SIM_NOT_FOUND' // the server says the file does not exist (TFTP error 1, FTP 550, HTTP 404)
  | 'SIM_DENIED' // the server refused the request (TFTP error 2, FTP 530/553, HTTP 401/403)
  | 'SIM_TIMEOUT' // no answer within the retry budget of a transfer
  | 'SIM_PROTOCOL' // the server broke the protocol (unexpected packet, reply or status)
  | 'SIM_IO' // socket or connection error
  | 'SIM_DHCP_TIMEOUT' // no OFFER / ACK after all DHCP retransmissions
  | 'SIM_DHCP_NAK' // the DHCP server answered DHCPNAK
  | 'SIM_NO_BOOT_SERVER' // neither DHCP (per the boot-server mode), INFORM, nor a static setting gave a boot server
  | 'SIM_BAD_BOOT_SERVER' // the boot-server string is not an address, a host name or a supported URL
  | 'SIM_NO_MASTER_CONFIG' // neither <MAC>.cfg nor 000000000000.cfg could be fetched
  | 'SIM_CONFIG_FILE_MISSING' // a file listed in CONFIG_FILES could not be fetched
  | 'SIM_UPLOAD_REJECTED' // the server refused an upload (log, call list, override)
  | 'SIM_UNKNOWN_MODEL' // the model is not in the catalog
  | 'SIM_BAD_ARGS'; // command-line usage error

export interface SimError {
  readonly code: SimErrorCode;
  readonly message: string;
}

export const simError = (code: SimErrorCode, message: string): SimError => ({
  code,
  message,
});
