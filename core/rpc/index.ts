/** Node daemon RPC: the call table, the fan-out client, the wire encodings and the fastify adapter. */
export { RpcCallTable, type RpcCall, type RpcCallDef, type RpcArgDef, type RpcArgEncoding, type JsonSchema } from './calls.js';
export { BUILTIN_RPC_CALLS, builtinRpcCall, createRpcCallTable, COMPRESSED_SCHEMA, FILE_DETAILS_SCHEMA } from './builtin-calls.js';
export { RPC_TIMEOUTS, isTimeoutClass, formatTimeout, type RpcTimeoutClass } from './timeouts.js';
export {
  RPC_ENCODING_NONE,
  RPC_ENCODING_ZLIB_BASE64,
  COMPRESS_THRESHOLD,
  compressData,
  decompressData,
  isCompressedData,
  toVirtualPath,
  localizeVirtualPath,
  type CompressedData,
} from './encoding.js';
export { prepareFileUpload, type FileDetails } from './upload.js';
export {
  RpcClient,
  NODED_PORT,
  parseAnswer,
  rpcPayload,
  type RpcNode,
  type RpcResult,
  type RpcSuccess,
  type RpcFailure,
  type RpcTlsMaterial,
  type RpcClientOptions,
  type RpcCallOptions,
} from './client.js';
export { registerRpcRoutes, RpcQuit, errorPage, sendHttpError, peerDigest, type RpcHandler, type RpcRequestContext, type RpcRoutesOptions } from './server.js';
export { lookupUid, lookupGid, lookupUserName, lookupGroupName } from './ents.js';
