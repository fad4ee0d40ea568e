// The Chime SDK imports its messaging client (Node-only dependencies), which meetings never
// use: a page bundle that holds the SDK gets this empty module in its place.
export {};
