import {teardown} from './postgres-global.js'
export default () => teardown()
